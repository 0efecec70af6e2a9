#!/usr/bin/env bash
# The test command the README gives: installs what is missing, then runs every
# test (`npm test` builds first). Arguments go to vitest: scripts/test.sh src/local
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-deps.sh
if [[ $# -gt 0 ]]; then
  npm test -- "$@"
else
  npm test
fi
