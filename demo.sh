#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds daxd and runs a demo on the simulated host (no pmem needed).
# DAXD_DEMO_HOST=linux runs it against this machine's real NVDIMMs instead (root only).
set -euo pipefail
cd "$(dirname "$0")"
packaging/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"

bin=${DAXD_DEMO_BIN:-build/release}  # DAXD_DEMO_BIN: another build tree (the tests use it)
work=$(mktemp -d /tmp/daxd-demo.XXXXXX)
sock=$work/daxd.sock
host=${DAXD_DEMO_HOST:-sim:$work/host.json}
cp daemon/host/sim/fixtures/two-regions.json "$work/host.json"
"$bin/daemon/daxd" --host "$host" --state-dir "$work/state" --socket "$sock" \
  --socket-group "" >"$work/daxd.log" 2>&1 &
daxd_pid=$!
trap 'kill "$daxd_pid" 2>/dev/null; wait "$daxd_pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || { cat "$work/daxd.log"; echo "demo: daxd did not start" >&2; exit 1; }

daxadm() { "$bin/cli/daxadm" --socket "$sock" "$@"; }
step() { printf '\n\033[1m$ daxadm %s\033[0m\n' "$*"; daxadm "$@" || echo "(daxadm exited $?)"; }

echo "daxd is serving $host on $sock (state in $work/state)"
step list -RNu
step create-namespace -r region0 -s 4G -m fsdax -n db --dry-run
step create-namespace -r region0 -s 4G -m fsdax -n db -u
step create-namespace -r region0 -s 4G -m fsdax -n db            # same spec again: unchanged
step create-namespace -r region1 -s 2G -m devdax -n cache
step reconfigure-namespace cache -m fsdax
step list -N --human
step operations --human
step destroy-namespace cache
step list -RNu
echo
echo "demo: done. daxd log:"
sed 's/^/  /' "$work/daxd.log"
