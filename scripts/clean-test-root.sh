#!/usr/bin/env bash
# Removes what an interrupted test run left under the test root (default
# <repo>/.test-root, or $BERTH_TEST_ROOT): processes, mounts, loop devices and
# test cgroups, then the directory itself. Tests keep everything they make under
# that root (test/support/test-root.ts), so nothing outside it is touched; the
# only exception is cgroups, which live in /sys/fs/cgroup and are found by their
# berth-test* names. Safe to run when there is nothing to clean.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# As the tests spell it (path.resolve keeps symlinks), and as the kernel reports
# working directories and mount points (symlinks resolved).
root="$(realpath -m -s "${BERTH_TEST_ROOT:-$repo_root/.test-root}")"
root_physical="$(realpath -m "$root")"
grace_seconds=5
did_something=false

say() {
  echo "clean-test-root: $*"
  did_something=true
}

# A typo in BERTH_TEST_ROOT must not wipe a system directory, a home directory
# or the repository: the root must be at least two levels deep and hold none of them.
refuse_dangerous_root() {
  local home
  local depth
  depth="$(tr -cd '/' <<<"$root_physical" | wc -c)"
  if ((depth < 2)) || is_under_root "$repo_root"; then
    echo "clean-test-root: refusing to clean $root: it is not a test root" >&2
    exit 1
  fi
  while IFS= read -r home; do
    if [[ -n "$home" && "$home" != / ]] && is_under_root "$home"; then
      echo "clean-test-root: refusing to clean $root: it holds the home directory $home" >&2
      exit 1
    fi
  done < <(getent passwd | cut -d: -f6)
}

# True when $1 is the root or lies inside it (either spelling of the root).
is_under_root() {
  [[ "$1" == "$root" || "$1" == "$root"/* || "$1" == "$root_physical" || "$1" == "$root_physical"/* ]]
}

# This script (and the subshell asking) and the processes that started it (a
# shell that exported BERTH_TEST_ROOT, .ci/run) are not leftovers.
ancestor_pids() {
  local pid=$BASHPID
  while [[ -n "$pid" && "$pid" != 0 ]]; do
    echo "$pid"
    pid="$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)"
  done
}

# A process is a leftover when its environment carries BERTH_TEST_ROOT=<root>
# (the test fixture sets it), or its working directory or an argument is under the root.
is_leftover_process() {
  local pid=$1 cwd argument
  # Kernel threads and zombies have no environment; their files cannot be read.
  if { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -Fxq "BERTH_TEST_ROOT=$root"; then
    return 0
  fi
  cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null || true)"
  if [[ -n "$cwd" ]] && is_under_root "$cwd"; then
    return 0
  fi
  while IFS= read -r -d '' argument; do
    # A bare path, or a flag's value (--work_dir=<path>).
    if is_under_root "$argument" || is_under_root "${argument#*=}"; then
      return 0
    fi
  done < <(cat "/proc/$pid/cmdline" 2>/dev/null)
  return 1
}

leftover_pids() {
  local ancestors pid
  ancestors=" $(ancestor_pids | tr '\n' ' ') "
  for entry in /proc/[0-9]*; do
    pid="${entry#/proc/}"
    [[ "$ancestors" == *" $pid "* ]] && continue
    if is_leftover_process "$pid"; then echo "$pid"; fi
  done
}

kill_leftover_processes() {
  local pids=() pid waited=0
  mapfile -t pids < <(leftover_pids)
  [[ ${#pids[@]} -eq 0 ]] && return
  for pid in "${pids[@]}"; do
    say "stopping pid $pid: $({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | cut -c1-120)"
    kill -TERM "$pid" 2>/dev/null || true
  done
  while ((waited < grace_seconds * 10)) && any_alive "${pids[@]}"; do
    sleep 0.1
    waited=$((waited + 1))
  done
  for pid in "${pids[@]}"; do
    if is_alive "$pid"; then
      say "killing pid $pid (still running after ${grace_seconds}s)"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

# Running and not a zombie (an exited child whose parent has not reaped it).
is_alive() {
  local state
  state="$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != Z ]]
}

any_alive() {
  local pid
  for pid in "$@"; do is_alive "$pid" && return 0; done
  return 1
}

# Mount points under the root, deepest first. mountinfo's fifth field is the
# mount point, with space, tab and backslash written as octal escapes.
mount_points_under_root() {
  awk '{ print $5 }' /proc/self/mountinfo |
    sed -e 's/\\040/ /g' -e 's/\\011/\t/g' -e 's/\\134/\\/g' |
    while IFS= read -r point; do
      if is_under_root "$point"; then printf '%s\t%s\n' "$(tr -cd '/' <<<"$point" | wc -c)" "$point"; fi
    done |
    sort -rn -k1,1 | cut -f2-
}

unmount_under_root() {
  local point
  while IFS= read -r point; do
    if umount "$point" 2>/dev/null; then
      say "unmounted $point"
    elif umount -l "$point" 2>/dev/null; then
      say "unmounted $point lazily (it was busy)"
    else
      echo "clean-test-root: cannot unmount $point" >&2
    fi
  done < <(mount_points_under_root)
}

detach_loop_devices() {
  command -v losetup >/dev/null 2>&1 || return 0
  local device backing
  while read -r device backing; do
    backing="${backing% (deleted)}"
    if [[ -n "$backing" ]] && is_under_root "$backing"; then
      if losetup -d "$device" 2>/dev/null; then
        say "detached $device ($backing)"
      else
        echo "clean-test-root: cannot detach $device ($backing)" >&2
      fi
    fi
  done < <(losetup -l -n -O NAME,BACK-FILE 2>/dev/null || true)
}

# cgroup v1 (/sys/fs/cgroup/<controller>/berth-test*) and v2 (/sys/fs/cgroup/berth-test*),
# children before parents.
remove_test_cgroups() {
  local top group
  for top in /sys/fs/cgroup/berth-test* /sys/fs/cgroup/*/berth-test*; do
    [[ -d "$top" ]] || continue
    while IFS= read -r group; do
      remove_cgroup "$group"
    done < <(find "$top" -depth -type d)
  done
}

# A cgroup can only be removed once empty: its processes are killed first, and
# leave it a moment after they die.
remove_cgroup() {
  local group=$1 pid attempt
  if [[ -f "$group/cgroup.procs" ]]; then
    while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$group/cgroup.procs"
  fi
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if rmdir "$group" 2>/dev/null; then
      say "removed cgroup $group"
      return
    fi
    sleep 0.1
  done
  echo "clean-test-root: cannot remove cgroup $group (tried $attempt times)" >&2
}

remove_root() {
  [[ -e "$root" ]] || return 0
  # rm -r would descend into a mount that is still there and delete what it
  # shows, which may be a directory outside the root: never remove through one.
  if [[ -n "$(mount_points_under_root)" ]]; then
    echo "clean-test-root: mounts remain under $root; not removing it" >&2
    exit 1
  fi
  rm -rf --one-file-system -- "$root"
  say "removed $root"
}

main() {
  refuse_dangerous_root
  kill_leftover_processes
  unmount_under_root
  detach_loop_devices
  remove_test_cgroups
  remove_root
  if [[ "$did_something" == false ]]; then echo "clean-test-root: nothing to clean under $root"; fi
}

main "$@"
