# SPDX-License-Identifier: Apache-2.0
# Shared by the bench/*.sh parts (sourced): binaries, ratios, daemons started under ready_time.
# Expects BENCH_BUILD (a build tree with daxd, daxadm and bench/) and BENCH_WORK (scratch dir).
DAXD=${BENCH_DAXD:-$BENCH_BUILD/daemon/daxd}
DAXADM=${BENCH_DAXADM:-$BENCH_BUILD/cli/daxadm}
BB=${BENCH_TOOLS:-$BENCH_BUILD/bench}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=${BENCH_QUICK:-0}

# ratio A B [DIGITS]: A / B
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { if (b == 0) print "n/a"; else printf "%.*f", d, a / b }'; }
# median of the numbers given as arguments
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }
port() { echo $((20000 + RANDOM % 20000)); }

# start_ready NAME LOG CMD...: runs CMD under bench_ready_time in the background; sets
# ${NAME}_PID (the daemon), ${NAME}_READY (ms to READY=1) and ${NAME}_OUT (ready_time's output).
start_ready() {
  local name=$1 log=$2 out i line pid ready
  shift 2
  out=$(mktemp "$BENCH_WORK/ready.XXXXXX")
  "$BB/bench_ready_time" --log "$log" --timeout 60 -- "$@" > "$out" &
  for i in $(seq 600); do
    grep -q '^ready_ms=' "$out" && break
    sleep 0.05
  done
  pid=$(sed -n 's/^pid=//p' "$out")
  ready=$(sed -n 's/^ready_ms=//p' "$out")
  printf -v "${name}_PID" '%s' "$pid"
  printf -v "${name}_READY" '%s' "${ready:--1}"
  printf -v "${name}_OUT" '%s' "$out"
  [ "${ready:--1}" != -1.0 ] && [ "${ready:--1}" != -1 ] || { echo "bench: $* did not become ready; log:" >&2; tail -5 "$log" >&2; return 1; }
}

# stop_ready PID OUT: SIGTERM the daemon and wait until ready_time has reported its end.
stop_ready() {
  case $1 in ''|0|-*) return 0;; esac   # never `kill 0`: that is the whole process group
  kill "$1" 2>/dev/null || true
  for _ in $(seq 200); do grep -qE '^(exit|signal)=' "$2" && return 0; sleep 0.05; done
  kill -9 "$1" 2>/dev/null || true
}

# wait_ended OUT: until ready_time reports the daemon's end (a crash point); prints it.
wait_ended() {
  for _ in $(seq 200); do
    if grep -qE '^(exit|signal)=' "$1"; then grep -E '^(exit|signal)=' "$1"; return 0; fi
    sleep 0.05
  done
  echo "still-running"
}

# sim_args DIR [ARGS...]: sets SIM_ARGS, daxd's flags for the sim host kept in DIR/host.json.
sim_args() {
  local dir=$1
  shift
  SIM_ARGS=(--host "sim:$dir/host.json" --state-dir "$dir/state" --socket "$dir/daxd.sock"
    --socket-group "" --admin-group "" "$@")
}
sim_fixture() { mkdir -p "$1"; cp "$SRC/daemon/host/sim/fixtures/two-regions.json" "$1/host.json"; }
