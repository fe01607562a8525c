# SPDX-License-Identifier: Apache-2.0
# Sourced by the volume and DAX scenarios (4x, 5x) after /scenario-lib.sh: daxd's REST API over
# its socket, namespaces made by ndctl (not under test there), the kernel's own view of a volume
# (dmsetup, /proc/mounts) and the MAP_SYNC writer, plus the volume crash matrix.
#   api METHOD PATH [BODY]            one request: HTTP status in $STATUS ("" when the connection
#                                     dropped), body in $OUT, unix_http's exit status in $RC
#   expect_status N METHOD PATH [BODY]
#   body_has TEXT                     the last answer's body mentions TEXT
#   need_api METHOD PATH              skip unless daxd serves the route (the contract's, issue 5)
#   need_programs                     skip unless the guest programs of tests/vm/programs exist
#   make_fsdax NAME REGION SIZE       an fsdax namespace by ndctl with its first 16 MiB zeroed
#   dm_table VOLUME                   `dmsetup table` of the volume's device (daxd-VOLUME)
#   mount_dax MOUNTPOINT              the dax= option /proc/mounts shows ("none": not mounted,
#                                     "unset": mounted without a dax option)
#   start_writer FILE SEED            map_sync_writer in the background: $WRITER once it mapped
#                                     FILE and wrote SEED's pattern; /tmp/writer.{pid,sum,log}
#   stop_pid PID                      SIGTERM, then wait for it; its exit status in $RC
#   alive PID                         running and not a zombie
#   volume_json NAME FIELD            FIELD of GET /v1/volumes/NAME (rc 1: no such volume)
VOLUME_WAIT=${VOLUME_WAIT:-90}   # ?wait= seconds for mutations: mkfs under TCG is slow

api() {
  echo "\$ $1 $2${3:+ $3}"
  timeout 150 unix_http "$SOCK" "$@" > /tmp/api.txt 2> "$ERR"
  RC=$?
  STATUS=$(head -n 1 /tmp/api.txt | cut -d' ' -f2)
  tail -n +2 /tmp/api.txt > "$OUT"
  sed 's/^/  body| /' "$OUT"
  sed 's/^/  err| /' "$ERR"
  echo "  => status ${STATUS:-none} (rc $RC)"
}

expect_status() {
  want=$1
  shift
  api "$@"
  [ "$STATUS" = "$want" ] || fail "$1 $2: status ${STATUS:-none}, expected $want: $(head -c 600 "$OUT")"
}

body_has() { grep -qF -- "$1" "$OUT" || fail "the answer does not mention '$1'"; }

# need_api METHOD PATH: an empty object is a bad request to a route that exists, 404 "no such
# resource" / 405 to one that does not.
need_api() {
  api "$1" "$2" '{}' > /dev/null
  [ "$STATUS" = 405 ] && skip "daxd has no $1 $2 in this build"
  [ "$STATUS" = 404 ] && grep -q "no such resource" "$OUT" && skip "daxd has no $1 $2 in this build"
  [ -n "$STATUS" ] || fail "$1 $2: no answer from daxd"
  return 0
}

need_programs() {
  for p in unix_http map_sync_writer mmap_reader fd_holder; do
    [ -x "/usr/bin/$p" ] || skip "$p not built"
  done
}

make_fsdax() {
  ndctl create-namespace -m fsdax -r "$2" -s "$3" -n "$1" > "/tmp/ns-$1.json" ||
    fail "ndctl create-namespace $1 failed"
  dev=$(json_find "/tmp/ns-$1.json" blockdev) || fail "namespace $1 has no blockdev"
  # The kernel does not zero a namespace: an earlier scenario's superblock would show again.
  dd if=/dev/zero of="/dev/$dev" bs=1M count=16 2> /dev/null || fail "cannot zero /dev/$dev"
  echo "namespace $1: /dev/$dev ($(cat "/sys/class/block/$dev/dev"))"
}

# ns_devno NAME: MAJ:MIN of the fsdax namespace's block device, as dm tables name it.
ns_devno() { cat "/sys/class/block/$(ndctl_ns "$1" blockdev)/dev"; }

dm_table() { dmsetup table "daxd-$1" 2> /dev/null; }

# dm_queue_dax VOLUME: /sys/block/dm-N/queue/dax of the volume's device (1 = DAX-capable).
dm_queue_dax() {
  minor=$(dmsetup info -c --noheadings -o minor "daxd-$1" 2> /dev/null | tr -d ' ') || return 1
  cat "/sys/block/dm-$minor/queue/dax"
}

mount_dax() {
  opts=$(awk -v m="$1" '$2 == m { o = $4 } END { print o }' /proc/mounts)
  [ -n "$opts" ] || { echo none; return 0; }
  d=$(echo ",$opts," | sed -n 's/.*,dax=\([a-z]*\),.*/\1/p')
  [ -n "$d" ] && { echo "$d"; return 0; }
  case ",$opts," in *,dax,*) echo always;; *) echo unset;; esac
}

# alive PID: running, not a zombie waiting for its parent.
alive() { [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2> /dev/null; }

start_writer() {
  rm -f /tmp/writer.pid /tmp/writer.sum
  map_sync_writer -s "$2" -z 8M -p /tmp/writer.pid -c /tmp/writer.sum "$1" > /tmp/writer.log 2>&1 &
  WRITER=$!
  HOLDERS="$HOLDERS $WRITER"
  i=0
  while [ ! -s /tmp/writer.pid ] && [ $i -lt 100 ]; do
    alive "$WRITER" || break
    sleep 0.1
    i=$((i + 1))
  done
  cat /tmp/writer.log
  [ -s /tmp/writer.pid ] || fail "map_sync_writer did not map $1 (see above)"
  [ "$(cat /tmp/writer.pid)" = "$WRITER" ] || fail "the writer's pidfile names another pid"
}

stop_pid() {
  kill "$1" 2> /dev/null
  wait "$1"
  RC=$?
}

volume_json() {
  unix_http "$SOCK" GET "/v1/volumes/$1" > /tmp/volume.txt 2> /dev/null || return 1
  tail -n +2 /tmp/volume.txt | json_find - "$2"
}

# start_daxd_dies VAR=VALUE...: daxd with a crash point that recovery reaches at start-up, before
# it serves: it must die by SIGKILL there.
# shellcheck disable=SC2034  # DAXD_PID and STATE belong to scenario-lib.sh
start_daxd_dies() {
  rm -f "$SOCK"
  echo "--- daxd start (dies in recovery) $* (uptime $(cut -d' ' -f1 /proc/uptime))" >> "$DAXD_LOG"
  env "$@" daxd --host linux --state-dir "$STATE" --socket "$SOCK" --socket-group "" \
    --admin-group "" >> "$DAXD_LOG" 2>&1 &
  DAXD_PID=$!
  wait_daxd_died
  [ "$RC" = 137 ] || fail "daxd exited with $RC during recovery, not by SIGKILL at $*"
}

# ---- the volume crash matrix ----
# volume_crash_scenario TYPE STEP WHERE, TYPE create-volume or set-dax (always -> never):
#   before|after  daxd started with DAXD_CRASH_AT=TYPE.STEP.WHERE runs TYPE and dies there;
#   undo          it dies first at the last step before the commit point (TYPE.<step>.after),
#                 then a daxd started with DAXD_CRASH_AT=TYPE.STEP.undo dies while its recovery
#                 rolls back;
# then daxd restarted without a crash point must show the operation completed or rolled_back,
# and dmsetup, /proc/mounts, daxd's volume and the data written before must agree with that.
CV_BODY='{"name":"cv","namespaces":["c-vol"],"filesystem":"ext4","mountpoint":"/mnt/cv","dax":"always"}'

volume_crash_scenario() {
  type=$1 step=$2 where=$3
  need_daxd
  need_programs
  make_fsdax c-vol region0 512M
  start_daxd
  need_api POST /v1/volumes
  if [ "$type" = set-dax ]; then
    expect_status 201 POST "/v1/volumes?wait=$VOLUME_WAIT" "$CV_BODY"
    start_writer /mnt/cv/data 5        # data to find intact whatever the outcome
    stop_pid "$WRITER"
    [ "$RC" = 0 ] || fail "map_sync_writer exited $RC on SIGTERM"
    cp /tmp/writer.sum /tmp/cv.sum
  fi
  # The step must be in this build's plan, or its crash point is never reached.
  case $type in
    create-volume) api POST "/v1/volumes?dry_run=true" "$CV_BODY";;
    set-dax) api PATCH "/v1/volumes/cv?dry_run=true" '{"dax":"never"}';;
  esac
  [ "$STATUS" = 200 ] || fail "the dry run of $type failed (status ${STATUS:-none})"
  [ "$(json_find "$OUT" -w name="$step" -w description -c)" != 0 ] ||
    skip "this build's $type plan has no step '$step'"
  stop_daxd
  first=$type.$step.$where
  if [ "$where" = undo ]; then
    case $type in
      create-volume) first=create-volume.record-desired.after;;
      set-dax) first=set-dax.mount.after;;
    esac
  fi
  start_daxd DAXD_CRASH_AT="$first"
  case $type in
    create-volume) api POST "/v1/volumes?wait=$VOLUME_WAIT" "$CV_BODY";;
    set-dax) api PATCH "/v1/volumes/cv?wait=$VOLUME_WAIT" '{"dax":"never"}';;
  esac
  wait_daxd_died
  [ "$RC" = 137 ] || fail "daxd exited with $RC, not by SIGKILL at $first"
  grep -q "crash point reached" "$DAXD_LOG" || fail "daxd did not report the crash point"
  echo "kernel after the crash: dm $(dm_table cv | head -n 1 || true); /mnt/cv dax $(mount_dax /mnt/cv)"
  if [ "$where" = undo ]; then
    start_daxd_dies DAXD_CRASH_AT="$type.$step.undo"
    [ "$(grep -c "crash point reached" "$DAXD_LOG")" -ge 2 ] ||
      fail "daxd did not report the undo crash point"
    echo "kernel after the undo crash: dm $(dm_table cv | head -n 1 || true); /mnt/cv dax $(mount_dax /mnt/cv)"
  fi
  start_daxd
  check_volume_outcome "$type"
  exit 0
}

check_volume_outcome() {
  expect_status 200 GET /v1/operations
  cp "$OUT" "$R/$SCENARIO-operations.json"
  op_state=$(json_find "$OUT" -w type="$1" state) || fail "daxd lists no $1 operation"
  echo "operation state after recovery: $op_state"
  for s in pending running rolling_back; do
    [ "$(json_find "$OUT" -w type -w state=$s -c)" = 0 ] || fail "an operation is still $s"
  done
  dmsetup table > "$R/$SCENARIO-dmsetup.txt" 2>&1
  cp /proc/mounts "$R/$SCENARIO-mounts.txt"
  case $1.$op_state in
    create-volume.completed) want_dm=yes want_dax=always;;
    create-volume.rolled_back) want_dm=no want_dax=none;;
    set-dax.completed) want_dm=yes want_dax=never;;
    set-dax.rolled_back) want_dm=yes want_dax=always;;
    *) fail "$1 ended $op_state after recovery: expected completed or rolled_back";;
  esac
  table=$(dm_table cv)
  if [ "$want_dm" = yes ]; then
    echo "$table" | grep -q " linear $(ns_devno c-vol) 0\$" || fail "dm table of cv: '$table'"
    [ "$(dm_queue_dax cv)" = 1 ] || fail "daxd-cv is not DAX-capable"
  else
    [ -z "$table" ] || fail "$1 is $op_state but daxd-cv is still there: $table"
    dmsetup ls | grep -q daxd- && fail "a daxd- dm device is left: $(dmsetup ls)"
  fi
  got=$(mount_dax /mnt/cv)
  [ "$got" = "$want_dax" ] || fail "$1 is $op_state but /mnt/cv is dax=$got (expected $want_dax)"
  check_desired_volume "$1" "$op_state" "$want_dax"
}

# What daxd now says about volume cv, and the data the set-dax scenarios wrote before.
check_desired_volume() {
  if [ "$1.$2" = create-volume.rolled_back ]; then
    volume_json cv name > /dev/null && fail "daxd still lists volume cv after the rollback"
    return 0
  fi
  dax=$(volume_json cv dax) || fail "daxd does not list volume cv"
  [ "$dax" = "$3" ] || fail "daxd records dax=$dax for cv, the mount is dax=$3"
  vstate=$(volume_json cv state) || fail "volume cv has no state"
  [ "$vstate" = active ] || fail "volume cv is $vstate, expected active"
  [ "$1" = set-dax ] || return 0
  case $3 in always) d=1 m=ok;; *) d=0 m=unsupported;; esac
  mmap_reader -s 5 -c /tmp/cv.sum -d $d -m $m /mnt/cv/data || fail "the data of cv changed"
}
