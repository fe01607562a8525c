#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# daxd start-up to READY=1 (sim host; first start on an empty state dir and a restart) against
# the baseline server's start-up, and the time to READY after a SIGKILL with an operation in
# flight (recovery) against a clean restart of the same build on the same state.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

REPS=5
[ "$QUICK" = 1 ] && REPS=2
CRASH_DAXD=${BENCH_CRASH_DAXD:-}
dir=$BENCH_WORK/daemon
rm -rf "$dir"; mkdir -p "$dir"

first=() again=() base=()
for i in $(seq "$REPS"); do
  d=$dir/start$i
  sim_fixture "$d"
  sim_args "$d"
  start_ready D "$d/daxd.log" "$DAXD" "${SIM_ARGS[@]}"
  first+=("$D_READY"); stop_ready "$D_PID" "$D_OUT"
  start_ready D "$d/daxd.log" "$DAXD" "${SIM_ARGS[@]}"
  again+=("$D_READY"); stop_ready "$D_PID" "$D_OUT"
  start_ready B "$d/base.log" "$BB/bench_baseline_server" --unix "$d/base.sock"
  base+=("$B_READY"); stop_ready "$B_PID" "$B_OUT"
done
f=$(median "${first[@]}") a=$(median "${again[@]}") b=$(median "${base[@]}")
echo "== start-up to READY=1 (sim host, medians of $REPS): daxd first start ${f} ms, restart ${a} ms;" \
  "baseline server ${b} ms; ratios daxd/baseline $(ratio "$f" "$b" 1)x and $(ratio "$a" "$b" 1)x"

if [ -z "$CRASH_DAXD" ] || [ ! -x "$CRASH_DAXD" ]; then
  echo "== recovery: SKIPPED (no daxd built with DAXD_CRASH_POINTS=ON; set BENCH_CRASH_DAXD)"
  exit 0
fi
rec=() clean=() ended=""
for i in $(seq "$REPS"); do
  d=$dir/crash$i
  sim_fixture "$d"
  sim_args "$d"
  start_ready C "$d/daxd.log" env DAXD_CRASH_AT=create-namespace.create-namespace.after \
    "$CRASH_DAXD" "${SIM_ARGS[@]}"
  "$DAXADM" --socket "$d/daxd.sock" create-namespace -r region0 -s 4G -m fsdax -n inflight \
    > /dev/null 2>&1 || true
  ended+="$(wait_ended "$C_OUT") "
  start_ready C "$d/daxd.log" "$CRASH_DAXD" "${SIM_ARGS[@]}"
  rec+=("$C_READY"); stop_ready "$C_PID" "$C_OUT"
  start_ready C "$d/daxd.log" "$CRASH_DAXD" "${SIM_ARGS[@]}"
  clean+=("$C_READY"); stop_ready "$C_PID" "$C_OUT"
done
r=$(median "${rec[@]}") c=$(median "${clean[@]}")
lines=$(grep -h 'daxd: recovery:' "$dir"/crash*/daxd.log | sort | uniq -c | head -3 | sed 's/^ */     /')
echo "== recovery after SIGKILL at create-namespace.create-namespace.after (sim host, medians of $REPS):" \
  "time to READY ${r} ms vs clean restart ${c} ms, ratio $(ratio "$r" "$c" 1)x; crashed daxd ended with: ${ended}"
echo "$lines"
