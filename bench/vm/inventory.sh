#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Bench (guest): ndctl list -RNu against daxadm list -RNu and GET /v1/namespaces with N
# namespaces (hyperfine, CSV in $R; the GET as a new process, in-process on a kept connection,
# and in-process with a new connection per request), daxd's start-up on the real kernel,
# whether daxd's view is stale right after ndctl changed the namespaces behind it, and the label
# capacity. The scenarios 4N-bench-inventory-N.sh are copies of this file (symlinks here): N
# comes from the name, and each scenario starts from an empty bus within run-scenarios.sh's
# 240 s limit.
SOCK=/tmp/daxd-bench.sock
STATE=/tmp/daxd-bench-state-$(basename "$0" .sh)
RUNS=${BENCH_RUNS:-5}
N=$(basename "$0" .sh); N=${N##*-}
LOG=$R/bench-inventory-$N.daxd.log
for p in daxd daxadm bench_http_load bench_ready_time hyperfine; do
  [ -x "/usr/bin/$p" ] || { echo "SKIP: $p not in the guest"; exit 77; }
done
up() { cut -d' ' -f1 /proc/uptime; }
count_ns() { grep -o '"dev":"namespace[0-9.]*"' | sort -u | wc -l; }
get_ns() { bench_http_load --unix "$SOCK" --path /v1/namespaces --once; }

echo "label areas:"
for d in nmem0 nmem1; do
  ndctl read-labels -j "$d" 2>/dev/null | tr -d ' \n' | grep -oE '"(labelsize|nslot)":[0-9]+' | sort -u |
    tr '\n' ' ' | sed "s/^/  $d: /"; echo
done

: > /tmp/ready.out
bench_ready_time --log "$LOG" --timeout 120 -- daxd --host linux --state-dir "$STATE" \
  --socket "$SOCK" --socket-group "" --admin-group "" > /tmp/ready.out &
i=0; while ! grep -q '^ready_ms=' /tmp/ready.out && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
echo "BENCH vm-startup $(grep '^ready_ms=' /tmp/ready.out)"
DPID=$(sed -n 's/^pid=//p' /tmp/ready.out)
[ -S "$SOCK" ] || { cat "$LOG"; echo "FAIL: daxd did not start"; exit 1; }

mode=fsdax made=0
make_until() {
  while [ $made -lt "$1" ]; do
    if ! ndctl create-namespace -r region$((made % 2)) -s 16M -m $mode > /dev/null 2>> /tmp/ns.err; then
      if [ $mode = fsdax ]; then mode=raw; continue; fi
      echo "FAIL: namespace $made: $(tail -1 /tmp/ns.err)"; return 1
    fi
    made=$((made + 1))
  done
}

for n in $N; do
  t0=$(up)
  make_until $n || break
  echo "created $made namespaces (16 MiB, $mode) in $(awk -v a="$t0" -v b="$(up)" 'BEGIN { print b - a }') s"
  want=$(ndctl list -N | count_ns)
  now=$(get_ns | count_ns); sleep 2; later=$(get_ns | count_ns)
  bench_http_load --unix "$SOCK" --path /healthz --once > /dev/null   # /healthz refreshes
  fresh=$(get_ns | count_ns)
  echo "BENCH vm-stale n=$n ndctl=$want daxd_at_once=$now daxd_after_2s=$later daxd_after_healthz=$fresh"
  hyperfine -N --style basic -w 1 -r "$RUNS" --export-csv "$R/bench-inventory-$n.csv" \
    "ndctl list -RNu" "daxadm --socket $SOCK list -RNu" \
    "bench_http_load --unix $SOCK --path /v1/namespaces --once" 2>&1 | tail -12
  echo "BENCH vm-inproc n=$n $(bench_http_load --unix "$SOCK" --path /v1/namespaces -c 1 -d 3)"
  # An API client that does not keep its connection (the CSI driver): connect, GET, close.
  echo "BENCH vm-reconnect n=$n $(bench_http_load --unix "$SOCK" --path /v1/namespaces --reconnect -d 3)"
done
echo "labels used after $made namespaces: $(ndctl list -N | grep -c '"uuid"') namespaces with a uuid (one label each)"
echo "BENCH vm-rss VmRSS=$(awk '/^VmRSS/ { print $2 }' /proc/$DPID/status) VmHWM=$(awk '/^VmHWM/ { print $2 }' /proc/$DPID/status)"
kill "$DPID"; wait
exit 0
