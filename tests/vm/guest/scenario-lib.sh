# SPDX-License-Identifier: Apache-2.0
# Shared by the daxd scenarios (sourced, not run): start/stop daxd on the linux host, run daxadm
# and check its exit status and output, skip when a binary or verb is not built yet.
# Scenario results: exit 0 pass, 77 skipped (reason on stdout), anything else failed.
#   need_daxd; need_verb VERB...           skip unless daxd/daxadm/helpers and the verbs exist
#   start_daxd [VAR=VALUE...]              daxd in the background on $STATE/$SOCK, waits for /healthz
#   stop_daxd                              SIGTERM and wait (also run at exit)
#   dx ARGS...                             daxadm on $SOCK; stdout in $OUT, stderr in $ERR, rc in $RC
#   expect_rc N ARGS...                    dx, failing unless it exits with N
#   fail MESSAGE                           print and exit 1
SCENARIO=$(basename "$0" .sh)
SCENARIO=${SCENARIO#[0-9][0-9]-}
STATE=${STATE:-/tmp/daxd-state-$SCENARIO}   # fresh per scenario
SOCK=${SOCK:-/tmp/daxd.sock}
OUT=/tmp/dx.out
ERR=/tmp/dx.err
DAXD_PID=""
DAXD_LOG=${DAXD_LOG:-$R/$SCENARIO.daxd.log}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

need_daxd() {
  for p in daxd daxadm unix_http_get json_find; do
    [ -x "/usr/bin/$p" ] || skip "$p not built"
  done
}

# A verb counts as present when `daxadm --help` lists it (CLI11: "  VERB   description").
need_verb() {
  daxadm --help > /tmp/daxadm-help.txt 2>&1
  for v in "$@"; do
    grep -qE "^ +$v( |\$)" /tmp/daxadm-help.txt || skip "daxadm has no '$v' verb in this build"
  done
}

# daxd_scans_with_bpf: daxd found consumers with its BPF iterators (its log says which scan it
# chose, at its first scan).
daxd_scans_with_bpf() {
  grep -q "consumer scan: bpf " "$DAXD_LOG" ||
    fail "daxd does not scan with BPF: $(grep 'consumer scan' "$DAXD_LOG")"
}

# start_daxd [VAR=VALUE...]: the variables go to daxd's environment only (DAXD_CRASH_AT=...).
start_daxd() {
  rm -f "$SOCK"
  echo "--- daxd start $* (uptime $(cut -d' ' -f1 /proc/uptime))" >> "$DAXD_LOG"
  env "$@" daxd --host linux --state-dir "$STATE" --socket "$SOCK" --socket-group "" \
    --admin-group "" >> "$DAXD_LOG" 2>&1 &
  DAXD_PID=$!
  i=0
  while [ $i -lt 150 ]; do
    if [ -S "$SOCK" ] && unix_http_get "$SOCK" /healthz > /dev/null 2>&1; then return 0; fi
    kill -0 "$DAXD_PID" 2> /dev/null || { cat "$DAXD_LOG"; fail "daxd exited while starting"; }
    sleep 0.2
    i=$((i + 1))
  done
  cat "$DAXD_LOG"
  fail "daxd did not answer /healthz on $SOCK within 30 s"
}

stop_daxd() {
  [ -n "$DAXD_PID" ] || return 0
  kill "$DAXD_PID" 2> /dev/null
  wait "$DAXD_PID" 2> /dev/null
  DAXD_PID=""
}

# wait_daxd_died: daxd must end by itself (a crash point) soon after the request returned;
# its exit status goes to $RC.
wait_daxd_died() {
  i=0
  while kill -0 "$DAXD_PID" 2> /dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
  kill -0 "$DAXD_PID" 2> /dev/null && fail "daxd is still running 10 s after the request returned"
  wait "$DAXD_PID"
  RC=$?
  DAXD_PID=""
}

dx() {
  echo "\$ daxadm $*"
  timeout 120 daxadm --socket "$SOCK" "$@" > "$OUT" 2> "$ERR"
  RC=$?
  sed 's/^/  out| /' "$OUT"
  sed 's/^/  err| /' "$ERR"
  echo "  => rc=$RC"
}

expect_rc() {
  want=$1
  shift
  dx "$@"
  [ "$RC" = "$want" ] || fail "daxadm $*: exit $RC, expected $want"
}

# stderr_has TEXT: the last daxadm's stderr mentions TEXT.
stderr_has() { grep -qF -- "$1" "$ERR" || fail "daxadm's stderr does not mention '$1'"; }

# consumers_have NAMESPACE KEY=VALUE: GET /v1/consumers?namespace=NAMESPACE lists such a consumer.
consumers_have() {
  unix_http_get "$SOCK" "/v1/consumers?namespace=$1" > /tmp/consumers.txt ||
    fail "GET /v1/consumers?namespace=$1: $(head -n1 /tmp/consumers.txt)"
  tail -n +2 /tmp/consumers.txt | json_find - -w "$2" > /dev/null ||
    fail "GET /v1/consumers?namespace=$1 lists no consumer with $2: $(tail -n +2 /tmp/consumers.txt)"
}

# ndctl_ns NAME FIELD: the field of the namespace labelled NAME in `ndctl list -N` (rc 1: none).
ndctl_ns() {
  ndctl list -N > /tmp/ndctl-ns.json
  json_find /tmp/ndctl-ns.json -w name="$1" "$2"
}

on_exit() {
  stop_daxd
  # Processes a scenario left holding devices would block the next scenario's reset.
  for p in $HOLDERS; do kill "$p" 2> /dev/null; done
}
HOLDERS=""
trap on_exit EXIT

# crash_scenario VERB WHERE: the namespace crash matrix on the real kernel. daxd runs VERB with
# DAXD_CRASH_AT=VERB.VERB.WHERE (its only step, crash before/after the kernel call) and dies by
# SIGKILL; restarted without it on the same state dir, it must have finished or undone the
# operation, and ndctl must agree with the outcome it reports.
crash_scenario() {
  verb=$1 where=$2
  need_daxd
  need_verb "$verb" operations
  case $verb in      # the namespace the verb starts from, made by ndctl (not under test here)
    create-namespace) args="-r region0 -s 256M -m devdax -n c-ns";;
    destroy-namespace) args="c-ns"; ndctl create-namespace -r region0 -s 256M -m devdax -n c-ns;;
    reconfigure-namespace) args="c-ns -m fsdax"; ndctl create-namespace -r region0 -s 256M -m devdax -n c-ns;;
  esac
  start_daxd DAXD_CRASH_AT="$verb.$verb.$where"
  # shellcheck disable=SC2086  # args are words
  dx "$verb" $args       # its exit status is whatever a dropped connection gives
  wait_daxd_died
  [ "$RC" = 137 ] || fail "daxd exited with $RC, not by SIGKILL at the crash point"
  grep -q "crash point reached" "$DAXD_LOG" || fail "daxd did not report the crash point"
  start_daxd

  expect_rc 0 operations
  cp "$OUT" "$R/$SCENARIO-operations.json"
  state=$(json_find "$OUT" -w type="$verb" state) || fail "daxadm operations shows no $verb"
  echo "operation state after recovery: $state"
  for s in pending running rolling_back; do
    [ "$(json_find "$OUT" -w type -w state=$s -c)" = 0 ] || fail "an operation is still $s"
  done
  ndctl list -N > "$R/$SCENARIO-ndctl.json"
  mode=$(ndctl_ns c-ns mode) || mode=none
  echo "ndctl: c-ns is $mode"
  case $verb.$state in
    create-namespace.completed) want=devdax;;
    create-namespace.rolled_back) want=none;;
    destroy-namespace.completed) want=none;;
    destroy-namespace.rolled_back) want=devdax;;
    reconfigure-namespace.completed) want=fsdax;;
    reconfigure-namespace.rolled_back) want=devdax;;
    *) fail "$verb ended $state after recovery: expected completed or rolled_back";;
  esac
  [ "$mode" = "$want" ] || fail "$verb is $state but ndctl shows c-ns as $mode (expected $want)"
  # Nothing half-made: a rolled-back create leaves no namespace of any name behind.
  count=$(json_find "$R/$SCENARIO-ndctl.json" -w dev -c)
  [ "$want" = none ] && [ "$count" != 0 ] && fail "ndctl lists $count namespaces, expected none"
  exit 0
}
