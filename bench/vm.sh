#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Inventory on the real kernel: one QEMU boot (tests/vm's kernel cache, initramfs builder and
# run-vm.sh) runs only bench/vm/scenarios; prints ndctl list -RNu against daxadm list -RNu and
# GET /v1/namespaces at 1, 16 and 64 namespaces, daxd's start-up and staleness in the guest.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

run=$BENCH_WORK/vm
VMP=${BENCH_VM_PROGRAMS:-$BENCH_BUILD/tests/vm}   # the guest helpers the set-dax scenario uses
rc=0
# One guest: a second one beside it would share the cores being measured.
DAXD_VM_SHARDS=1 DAXD_VM_SCENARIOS=$SRC/bench/vm/scenarios "$SRC/tests/vm/run-vm.sh" -d "$run" -t 600 \
  "$DAXD" "$DAXADM" "$BB/bench_http_load" "$BB/bench_ready_time" "$BB/bench_memcpy_rate" "$(command -v hyperfine)" \
  "$VMP/unix_http_get" "$VMP/json_find" "$VMP/unix_http" "$VMP/map_sync_writer" \
  "$VMP/mmap_reader" "$VMP/fd_holder" \
  2> "$run.log" || rc=$?
res=$run/results
if [ $rc = 77 ]; then echo "== vm: SKIPPED: $(cat "$res/SKIPPED")"; exit 0; fi
[ $rc = 0 ] || { tail -20 "$run.log"; echo "== vm: FAILED (run-vm.sh exit $rc; $run/serial.log)"; exit 1; }
echo "== inventory on the real kernel (QEMU TCG guest, hyperfine -N means over ${BENCH_RUNS:-5} runs, each a new process)"
# GET ms: a new bench_http_load process per GET; "new conn": in one process, connect + GET +
# close per request (what an API client pays without process start-up); "kept conn": one
# connection for all requests. Both p50 over 3 s.
printf '   %-4s %10s %10s %10s %13s %10s %15s %16s %16s\n' "ns" "ndctl ms" "daxadm ms" "GET ms" "ndctl/daxadm" "ndctl/GET" "GET new conn" "ndctl/new conn" "GET kept conn"
for n in 1 16 64; do
  log=$res/bench-inventory-$n.log csv=$res/bench-inventory-$n.csv
  if [ ! -f "$csv" ]; then
    echo "   $n: no result (scenario rc $(cat "$res/bench-inventory-$n.rc" 2>/dev/null || echo none)):"
    tail -3 "$log" 2>/dev/null | sed 's/^/      /'
    continue
  fi
  # command,mean,stddev,median,user,system,min,max (seconds)
  nd=$(awk -F, '$1 ~ /^ndctl/ { printf "%.1f", $2 * 1000 }' "$csv")
  dx=$(awk -F, '$1 ~ /^daxadm/ { printf "%.1f", $2 * 1000 }' "$csv")
  gt=$(awk -F, '$1 ~ /^bench_http_load/ { printf "%.1f", $2 * 1000 }' "$csv")
  ip=$(sed -n "s/^BENCH vm-inproc n=$n .*p50_us=\([0-9]*\).*/\1/p" "$log")
  nc=$(sed -n "s/^BENCH vm-reconnect n=$n .*p50_us=\([0-9]*\).*/\1/p" "$log")
  printf '   %-4s %10s %10s %10s %12sx %9sx %13sus %15sx %14sus\n' "$n" "$nd" "$dx" "$gt" "$(ratio "$nd" "$dx" 1)" "$(ratio "$nd" "$gt" 1)" "${nc:-n/a}" "$(ratio "$nd" "$(ratio "${nc:-0}" 1000 3)" 0)" "$ip"
done
for n in 1 16 64; do
  log=$res/bench-inventory-$n.log
  [ -f "$log" ] || continue
  sed -n 's/^BENCH vm-stale /   staleness: /p; s/^BENCH vm-startup /   daxd start-up in the guest (linux host, '"$n"' ns scenario): /p; s/^BENCH vm-rss /   daxd RSS in the guest after the '"$n"' ns scenario (kB): /p' "$log"
  grep -E '^(created|labels used)' "$log" | sed 's/^/   /'
done
sed -n '/^label areas:/,/^BENCH/p' "$res/bench-inventory-1.log" 2>/dev/null | grep -v '^BENCH' | sed 's/^/   /' || true  # absent when the inventory scenarios were not selected
[ -f "$res/bench-set-dax.txt" ] && sed "s/^BENCH set-dax /   set-dax: /" "$res/bench-set-dax.txt"
[ -f "$res/bench-set-dax.txt" ] || { echo "   set-dax: no result (rc $(cat "$res/bench-set-dax.rc" 2>/dev/null || echo none)):"; tail -3 "$res/bench-set-dax.log" 2>/dev/null | sed "s/^/      /"; }
[ -f "$res/bench-snapshots.txt" ] && sed "s/^BENCH snapshot /   snapshot: /" "$res/bench-snapshots.txt"
[ -f "$res/bench-snapshots.txt" ] || { echo "   snapshots: no result (rc $(cat "$res/bench-snapshots.rc" 2>/dev/null || echo none)):"; tail -3 "$res/bench-snapshots.log" 2>/dev/null | sed "s/^/      /"; }
echo "   (guest logs: $res/bench-inventory-N.log)"
