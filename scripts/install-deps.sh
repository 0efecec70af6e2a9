#!/usr/bin/env bash
# Installs what berth needs on a fresh Debian machine that has Node 20 and npm:
# the npm packages (npm ci, from package-lock.json) and, when later work needs
# them, Debian packages through apt-get. Only the npm registry and Debian's
# archive are reachable, so nothing else is downloaded. Quiet; prints what it
# installs. Safe to run again: what is there already is left alone.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_major_min=20

say() {
  echo "install-deps: $*"
}

fail() {
  echo "install-deps: $*" >&2
  exit 1
}

# apt-get needs root; sudo is used only when this script is not root already.
as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    fail "need root (or sudo) to run: $*"
  fi
}

apt_updated=false

# The package lists of a fresh machine are empty; fetch them once, on first need.
apt_get_update_once() {
  if [[ "$apt_updated" == false ]]; then
    as_root apt-get update -qq >/dev/null
    apt_updated=true
  fi
}

# ensure_debian_package <command> <package>: installs <package> unless <command> is on PATH.
ensure_debian_package() {
  local command=$1 package=$2
  if command -v "$command" >/dev/null 2>&1; then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || fail "$command is missing and this is not Debian: install $package"
  say "installing Debian package $package (for $command)"
  apt_get_update_once
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
}

# ensure_debian_file <path> <package>: installs <package> unless <path> exists (for what is not on PATH).
ensure_debian_file() {
  local path=$1 package=$2
  if [[ -e "$path" ]]; then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || fail "$path is missing and this is not Debian: install $package"
  say "installing Debian package $package (for $path)"
  apt_get_update_once
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
}

check_node() {
  command -v node >/dev/null 2>&1 || fail "node is missing: install Node $node_major_min or later"
  command -v npm >/dev/null 2>&1 || fail "npm is missing: install it with Node $node_major_min"
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  ((major >= node_major_min)) || fail "node $(node --version) is too old: berth needs Node $node_major_min or later"
}

# npm ci removes node_modules and installs exactly package-lock.json. A stamp
# holding the lock file's hash skips that when nothing changed since the last run.
install_npm_packages() {
  local stamp="$repo_root/node_modules/.berth-install-stamp" lock_hash
  lock_hash="$(sha256sum "$repo_root/package-lock.json" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_hash" ]]; then
    return 0
  fi
  say "installing npm packages (npm ci)"
  (cd "$repo_root" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_hash" >"$stamp"
}

main() {
  check_node
  # The task supervisor (native/supervisor.c) is built with the system C compiler.
  ensure_debian_package cc gcc
  # The fetcher extracts archives with tar, unzip, bzip2 and xz.
  ensure_debian_package unzip unzip
  ensure_debian_package bzip2 bzip2
  ensure_debian_package xz xz-utils
  # MOUNT disks from loop images, and the tests' loop-mounted file systems.
  ensure_debian_package mkfs.ext4 e2fsprogs
  # HA: a real ZooKeeper for the tests and berth local --ha (Java comes with it).
  ensure_debian_file /usr/share/java/zookeeper.jar zookeeper
  # Later work adds its system tools here, e.g.:
  #   ensure_debian_package chromium chromium        (UI tests: playwright-core drives it)
  install_npm_packages
}

main "$@"
