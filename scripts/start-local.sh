#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and starts a
# local cluster (one master, three agents) in the foreground. Arguments go to
# `berth local`: scripts/start-local.sh --agents=5
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-deps.sh
npm run build --silent
exec node dist/src/cli/main.js local "$@"
