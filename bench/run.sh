#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs daxd's benchmarks (issue 7). Every figure is printed next to a baseline measured in the
# same run, as a ratio; nothing here passes or fails on timing.
#
# Usage: ./bench/run.sh [PART...]     PART: consumer api daemon vm (default: all four)
# Env:   BENCH_BUILD        an already built tree to measure (skips the build; must have daxd,
#                           daxadm and bench/); default: the release preset, built here
#        BENCH_CRASH_DAXD   daxd built with DAXD_CRASH_POINTS=ON for the recovery figure;
#                           default: built here in build/bench-crash
#        BENCH_VM_PROGRAMS  directory with tests/vm's guest helpers (unix_http, json_find, ...)
#                           for the set-dax scenario; default: $BENCH_BUILD/tests/vm, else
#                           built here in build/bench-vm-programs
#        BENCH_QUICK=1      fewer repetitions (a smoke run, about 5 minutes)
#        DAXD_SKIP_VM=1     skips the QEMU part, saying so
# Output: stdout, and a copy in build/bench-results/<date>.txt
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(consumer api daemon vm)
[ "$(id -u)" = 0 ] || { echo "bench: needs root (tmpfs/loop mounts, pid_max, the QEMU guest)" >&2; exit 2; }

packaging/install-deps.sh
if [ -z "${BENCH_BUILD:-}" ]; then
  cmake --preset release > /dev/null
  cmake --build --preset release --target daxd daxadm bench_tools
  export BENCH_BUILD=$root/build/release
fi
if [ -z "${BENCH_CRASH_DAXD:-}" ] && [[ " ${parts[*]} " == *" daemon "* ]]; then
  cmake -S . -B build/bench-crash -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDAXD_CRASH_POINTS=ON -DDAXD_BUILD_TESTS=OFF -DDAXD_BUILD_BENCH=OFF > /dev/null
  cmake --build build/bench-crash --target daxd
  export BENCH_CRASH_DAXD=$root/build/bench-crash/daemon/daxd
fi
# The guest helpers of tests/vm (unix_http, json_find, ...) for the set-dax scenario: the
# release preset does not build tests.
if [ -z "${BENCH_VM_PROGRAMS:-}" ] && [[ " ${parts[*]} " == *" vm "* ]] &&
   [ ! -x "$BENCH_BUILD/tests/vm/unix_http" ]; then
  cmake -S . -B build/bench-vm-programs -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDAXD_BUILD_BENCH=OFF > /dev/null
  cmake --build build/bench-vm-programs --target unix_http_get json_find unix_http \
    map_sync_writer mmap_reader fd_holder
  export BENCH_VM_PROGRAMS=$root/build/bench-vm-programs/tests/vm
fi
BENCH_BUILD=$(cd "$BENCH_BUILD" && pwd)
export BENCH_WORK
BENCH_WORK=$(mktemp -d /tmp/daxd-bench.XXXXXX)
trap 'rm -rf "$BENCH_WORK"' EXIT
mkdir -p build/bench-results
out=build/bench-results/$(date +%Y%m%d-%H%M%S)-$$.txt

{
  echo "daxd bench $(date -u '+%Y-%m-%d %H:%M UTC'), git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+dirty')"
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "build: $BENCH_BUILD ($(grep -m1 '^CMAKE_BUILD_TYPE' "$BENCH_BUILD/CMakeCache.txt" | cut -d= -f2), crash points $(grep -m1 '^DAXD_CRASH_POINTS' "$BENCH_BUILD/CMakeCache.txt" | cut -d= -f2))"
  for p in "${parts[@]}"; do
    t0=$(date +%s)
    case $p in
      consumer|api|daemon|vm) bash "bench/$p.sh" || echo "== $p: FAILED (exit $?)";;
      *) echo "bench: unknown part $p" >&2; exit 2;;
    esac
    echo "   ($p took $(( $(date +%s) - t0 )) s)"
  done
} 2>&1 | tee "$out"
echo "bench: results in $out"
