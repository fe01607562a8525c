# SPDX-License-Identifier: Apache-2.0
# Sourced by the snapshot scenarios (4x kernel facts, 7x daxd's snapshots, 8x faults) after
# /scenario-lib.sh and /volume-lib.sh.
# Kernel facts (no daxd):
#   freeze_scenario settled|fresh       store_counter under FIFREEZE for ext4/xfs x shared/sync
# daxd's snapshots (issue 6, through daxadm):
#   snap_setup                          skip unless built; namespaces v-sv (volume, region0 512M),
#                                       st-copy (region1 512M), st-cow (region0 128M); daxd up;
#                                       volume sv: ext4, /mnt/sv, dax=always, files written
#   write_files DIR TAG; sums DIR       a few files (random and text) / their md5sums, sorted
#   snap_json SNAP FIELD                FIELD of GET /v1/volumes/sv/snapshots/SNAP (rc 1: none)
#   expect_sums DIR SUMFILE WHAT        the files of DIR have the sums in SUMFILE
#   expect_dax yes|no                   volume sv: queue/dax, the mount's dax=, MAP_SYNC, and
#                                       daxd's dax_capable agree with "DAX-capable" or not
#   expect_world_running                nothing frozen (a write to /mnt/sv completes), no dm
#                                       device suspended, no operation pending or running
#   snapshot_crash_scenario FLOW STEP before|after   the snapshot crash matrix (see below)
SV_MNT=/mnt/sv

# ---- kernel facts: stores through DAX mappings while frozen ----
FS_FREEZE=/usr/sbin/fsfreeze      # util-linux; busybox ash would run its own applet by name

# freeze_case FS shared|sync settled|fresh: one measurement on the filesystem at /mnt/fz
# (dm device fz); the verdict in $VERDICT, the line appended to $FACTS.
freeze_case() {
  fs=$1 kind=$2 how=$3
  flags=""
  [ "$kind" = sync ] && flags=-y
  [ "$how" = fresh ] && flags="$flags -n"
  rm -f /tmp/sc.pid /tmp/sc.phys /dev/shm/progress
  # shellcheck disable=SC2086  # flags are words
  store_counter $flags -i 200 -g /dev/shm/progress -p /tmp/sc.pid -f /tmp/sc.phys \
    "/mnt/fz/counter-$kind-$how" > /tmp/sc.log 2>&1 &
  pid=$!
  HOLDERS="$HOLDERS $pid"
  i=0
  while [ ! -s /tmp/sc.pid ] && [ $i -lt 100 ] && alive $pid; do sleep 0.1; i=$((i + 1)); done
  cat /tmp/sc.log
  [ -s /tmp/sc.pid ] || fail "store_counter did not start on $fs ($kind, $how)"
  PHYS=$(cat /tmp/sc.phys)
  [ "$PHYS" -ge 0 ] 2> /dev/null || fail "no physical offset for the counter file: $PHYS"
  vmflags=$(grep -A 30 " /mnt/fz/counter-$kind-$how" "/proc/$pid/smaps" | sed -n 's/^VmFlags: //p' | head -n 1)
  sleep 1
  m0=$(fz_media) p0=$(fz_progress)
  t0=$(cut -d' ' -f1 /proc/uptime)
  timeout 60 $FS_FREEZE -f /mnt/fz || fail "fsfreeze -f /mnt/fz failed"
  t1=$(cut -d' ' -f1 /proc/uptime)
  m1=$(fz_media) p1=$(fz_progress)
  sleep 1
  m2=$(fz_media) p2=$(fz_progress)
  sleep 1
  m3=$(fz_media) p3=$(fz_progress)
  wchan=$(cat "/proc/$pid/wchan" 2> /dev/null)
  pstate=$(sed -n 's/^State:[[:space:]]*//p' "/proc/$pid/status")
  timeout 60 $FS_FREEZE -u /mnt/fz || fail "fsfreeze -u /mnt/fz failed"
  sleep 1
  m4=$(fz_media) p4=$(fz_progress)
  kill -9 $pid 2> /dev/null
  wait $pid 2> /dev/null
  if [ "$m3" != "$m1" ]; then VERDICT=slips; elif [ "$p3" = "$p1" ]; then VERDICT=blocked; else VERDICT=unclear; fi
  line="$fs $kind $how: verdict=$VERDICT media(before,frozen+0s,+1s,+2s,thawed+1s)=$m0,$m1,$m2,$m3,$m4"
  line="$line progress=$p0,$p1,$p2,$p3,$p4 writer_while_frozen='$pstate' wchan=$wchan"
  line="$line freeze_took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')s vmflags='$vmflags'"
  echo "$line" | tee -a "$FACTS"
  [ "$p4" != "$p3" ] || fail "$fs $kind $how: the writer did not resume after the thaw"
  [ "$VERDICT" != unclear ] || fail "$fs $kind $how: neither slipped nor blocked (the writer ran, the media stood)"
  for e in $FREEZE_EXPECT; do
    [ "${e%%=*}" = "$fs:$kind:$how" ] || continue
    [ "${e#*=}" = "$VERDICT" ] || fail "$fs $kind $how: stores $VERDICT while frozen, expected ${e#*=}"
  done
  return 0
}
fz_media() { store_counter -r /dev/mapper/fz -o "$PHYS"; }
fz_progress() { store_counter -b -r /dev/shm/progress; }

# freeze_scenario settled|fresh: the four cases (ext4, xfs) x (shared, sync) on dm-linear over
# an fsdax namespace; FREEZE_EXPECT="ext4:shared:settled=V ..." (V blocked|slips): the facts
# found so far, a different verdict fails the scenario (the rule copy_blockers() keeps).
freeze_scenario() {
  [ -x /usr/bin/store_counter ] || skip "store_counter not built"
  [ -x /usr/bin/json_find ] || skip "json_find not built"
  FACTS=$R/$SCENARIO.txt
  : > "$FACTS"
  make_fsdax fz region0 512M
  sectors=$(cat "/sys/class/block/$(ndctl_ns fz blockdev)/size")
  dmsetup create fz --table "0 $sectors linear $(ns_devno fz) 0" || fail "dmsetup create fz failed"
  mkdir -p /mnt/fz
  mkfs.ext4 -q -F -b 4096 /dev/mapper/fz || fail "mkfs.ext4 failed"
  mount -t ext4 -o dax=always /dev/mapper/fz /mnt/fz || fail "mount ext4 dax=always failed"
  freeze_case ext4 shared "$1"
  freeze_case ext4 sync "$1"
  umount /mnt/fz
  mkfs.xfs -q -f -m reflink=0 /dev/mapper/fz || fail "mkfs.xfs failed"
  mount -t xfs -o dax=always /dev/mapper/fz /mnt/fz || fail "mount xfs dax=always failed"
  freeze_case xfs shared "$1"
  freeze_case xfs sync "$1"
  umount /mnt/fz
  dmsetup remove fz
  exit 0
}

# ---- daxd's snapshots of a mounted DAX volume (issue 6) ----
# Volume sv: ext4 on namespace v-sv (region0, 512M), mounted dax=always at /mnt/sv. Stores: st-copy
# (region1, the same size: a copy holds the whole volume) and st-cow, st-cow2 (region0, 128M).
snap_setup() {
  need_daxd
  need_programs
  need_verb create-volume create-snapshot destroy-snapshot restore-snapshot mount-snapshot
  make_fsdax v-sv region0 512M
  make_fsdax st-copy region1 512M
  make_fsdax st-cow region0 128M
  make_fsdax st-cow2 region0 128M
  start_daxd
  expect_rc 0 create-volume sv -n v-sv -t ext4 -m "$SV_MNT" --dax always
  write_files "$SV_MNT" one
  sums "$SV_MNT" > /tmp/sums-one
}

# write_files DIR TAG: a new 4 MiB random file and the text file rewritten (a later write
# changes an existing file too), synced.
write_files() {
  mkdir -p "$1/d" || fail "cannot write to $1"
  dd if=/dev/urandom of="$1/d/rand-$2" bs=1M count=4 2> /dev/null || fail "cannot write $1/d/rand-$2"
  echo "written as $2" > "$1/d/text" || fail "cannot write $1/d/text"
  sync
}

sums() { (cd "$1" && find d -type f | sort | xargs md5sum); }

# expect_sums DIR SUMFILE WHAT
expect_sums() {
  sums "$1" > /tmp/sums-now 2>&1
  cmp -s /tmp/sums-now "$2" && return 0
  echo "--- expected ($2)"; cat "$2"; echo "--- found in $1"; cat /tmp/sums-now
  fail "$3: the files of $1 differ from $2"
}

snap_json() {
  unix_http_get "$SOCK" "/v1/volumes/sv/snapshots/$1" > /tmp/snap.txt 2> /dev/null || return 1
  head -n 1 /tmp/snap.txt | grep -q " 200" || return 1
  tail -n +2 /tmp/snap.txt | json_find - "$2"
}

# expect_snapshot_content SNAP SUMFILE WHAT: the snapshot's device, mounted read-only here (not
# through daxd: the kernel's view), holds the files of SUMFILE.
expect_snapshot_content() {
  dev="/dev/mapper/daxd-sv@$1"
  [ -b "$dev" ] || fail "$3: no $dev"
  mkdir -p /mnt/check
  mount -t ext4 -o ro,noload "$dev" /mnt/check || fail "$3: cannot mount $dev read-only"
  expect_sums /mnt/check "$2" "$3"
  umount /mnt/check
}

# expect_dax yes|no: volume sv is (not) DAX-capable in the kernel, in its mount and for daxd.
expect_dax() {
  case $1 in
    yes) q=1 m=always c=true d=1 s=ok;;
    *) q=0 m=never c=false d=0 s=unsupported;;
  esac
  got_q=$(dm_queue_dax sv) got_m=$(mount_dax "$SV_MNT") got_c=$(volume_json sv dax_capable)
  echo "volume sv: queue/dax=$got_q mount dax=$got_m dax_capable=$got_c; table: $(dm_table sv)"
  [ "$got_q" = $q ] || fail "daxd-sv has queue/dax=$got_q, expected $q"
  [ "$got_m" = $m ] || fail "$SV_MNT is dax=$got_m, expected $m"
  [ "$got_c" = $c ] || fail "daxd says dax_capable=$got_c for sv, expected $c"
  mmap_reader -d $d -m $s "$SV_MNT/d/text" || fail "statx DAX / MAP_SYNC on $SV_MNT differ from DAX $1"
}

# expect_world_running: nothing frozen (a write to the volume completes within 20 s; if not,
# thaw it so the next checks and scenarios run, and fail), no dm device suspended, no operation
# left pending, running or rolling back.
expect_world_running() {
  if grep -q " $SV_MNT " /proc/mounts; then
    (echo alive > "$SV_MNT/.write-test" && sync) &
    w=$!
    i=0
    while alive $w && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
    if alive $w; then
      $FS_FREEZE -u "$SV_MNT"
      wait $w
      fail "$SV_MNT is frozen: a write did not complete in 20 s (thawed by the scenario)"
    fi
    wait $w || fail "cannot write to $SV_MNT"
    rm -f "$SV_MNT/.write-test"
  fi
  susp=$(dmsetup info 2> /dev/null | grep -B 1 "^State: *SUSPENDED" | sed -n 's/^Name: *//p')
  [ -z "$susp" ] || { for d in $susp; do dmsetup resume "$d"; done; fail "dm devices left suspended: $susp"; }
  api GET /v1/operations > /dev/null
  for st in pending running rolling_back; do
    [ "$(json_find "$OUT" -w type -w state=$st -c)" = 0 ] || fail "an operation is still $st"
  done
  return 0
}

# The dm devices of the snapshot stack of sv, one name a line.
stack_devices() { dmsetup ls 2> /dev/null | awk '{ print $1 }' | grep '^daxd-sv[@+]' | sort; }

# ---- the snapshot crash matrix ----
# snapshot_crash_scenario FLOW STEP before|after, FLOW one of
#   create-copy   create-snapshot c1 -m copy (store st-copy)
#   create-cow    create-snapshot w1 -m cow (store st-cow): the first cow snapshot
#   destroy-cow   destroy-snapshot w1, the last cow snapshot (DAX comes back)
#   restore-cow   restore-snapshot w1 (merge)
#   restore-copy  restore-snapshot c1 (the volume moves onto the copy)
# daxd started with DAXD_CRASH_AT=TYPE.STEP.WHERE dies by SIGKILL in the operation; a probe write
# to /mnt/sv is started (it blocks while the origin is frozen: for the copy's freeze..thaw
# window that is asserted, "daxd killed during the freeze"); daxd restarted on the same state
# dir must end the operation completed or rolled_back, thaw and resume everything (the probe
# write completes), and the kernel (dm stack, mount, DAX) and the data must match the outcome.
snapshot_crash_scenario() {
  flow=$1 step=$2 where=$3
  snap_setup
  need_api POST /v1/volumes/sv/snapshots
  case $flow in
    create-copy) type=create-snapshot snap=c1;;
    create-cow) type=create-snapshot snap=w1;;
    destroy-cow) type=destroy-snapshot snap=w1;;
    restore-cow) type=restore-snapshot snap=w1;;
    restore-copy) type=restore-snapshot snap=c1;;
    *) fail "unknown flow $flow";;
  esac
  case $flow in
    destroy-cow|restore-cow) expect_rc 0 create-snapshot sv w1 -m cow --namespace st-cow;;
    restore-copy) expect_rc 0 create-snapshot sv c1 -m copy --namespace st-copy;;
  esac
  case $flow in
    destroy-*|restore-*) write_files "$SV_MNT" two; sums "$SV_MNT" > /tmp/sums-two;;
  esac
  crash_request "?dry_run=true"
  [ "$STATUS" = 200 ] || fail "the dry run of $flow failed (status ${STATUS:-none})"
  [ "$(json_find "$OUT" -w name="$step" -w description -c)" != 0 ] ||
    skip "this build's $flow plan has no step '$step'"
  stop_daxd
  start_daxd DAXD_CRASH_AT="$type.$step.$where"
  crash_request "?wait=$VOLUME_WAIT"
  wait_daxd_died
  [ "$RC" = 137 ] || fail "daxd exited with $RC, not by SIGKILL at $type.$step.$where"
  grep -q "crash point reached" "$DAXD_LOG" || fail "daxd did not report the crash point"
  echo "kernel after the crash: $(stack_devices | tr '\n' ' ')| daxd-sv: $(dm_table sv | head -n 1) |" \
    "$SV_MNT dax=$(mount_dax "$SV_MNT") | suspended: $(dmsetup info | grep -c SUSPENDED)"
  crash_probe_start
  start_daxd
  crash_probe_done
  check_snapshot_outcome "$flow" "$type" "$snap"
  exit 0
}

crash_request() {
  case $flow in
    create-copy) api POST "/v1/volumes/sv/snapshots$1" \
      '{"name":"c1","method":"copy","namespaces":["st-copy"]}';;
    create-cow) api POST "/v1/volumes/sv/snapshots$1" \
      '{"name":"w1","method":"cow","namespaces":["st-cow"]}';;
    destroy-cow) api DELETE "/v1/volumes/sv/snapshots/w1$1";;
    restore-*) api POST "/v1/volumes/sv/snapshots/$snap/restore$1" '{}';;
  esac
}

# A write to the origin while daxd is dead: blocked exactly when the crash left it frozen.
crash_probe_start() {
  PROBE=""
  grep -q " $SV_MNT " /proc/mounts || { echo "probe: $SV_MNT is not mounted"; return 0; }
  (echo probe > "$SV_MNT/.crash-probe" && sync) &
  PROBE=$!
  sleep 2
  if alive $PROBE; then PROBE_STATE=blocked; else PROBE_STATE="done"; fi
  echo "probe write to $SV_MNT with daxd dead: $PROBE_STATE"
  case $flow.$step.$where in
    create-copy.freeze.after|create-copy.copy.*|create-copy.thaw.before)
      [ "$PROBE_STATE" = blocked ] || fail "the origin was not frozen when daxd died in the freeze";;
  esac
}

crash_probe_done() {
  [ -n "$PROBE" ] || return 0
  i=0
  while alive "$PROBE" && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
  if alive "$PROBE"; then
    $FS_FREEZE -u "$SV_MNT"
    fail "the probe write still blocks 20 s after daxd's restart: $SV_MNT stayed frozen"
  fi
  wait "$PROBE"
  rm -f "$SV_MNT/.crash-probe"
}

# check_snapshot_outcome FLOW TYPE SNAP: the operation ended completed or rolled_back and the
# world agrees with it.
check_snapshot_outcome() {
  expect_status 200 GET /v1/operations
  cp "$OUT" "$R/$SCENARIO-operations.json"
  op_state=$(json_find "$OUT" -w type="$2" state) || fail "daxd lists no $2 operation"
  echo "operation state after recovery: $op_state"
  expect_world_running
  dmsetup table > "$R/$SCENARIO-dmsetup.txt" 2>&1
  cp /proc/mounts "$R/$SCENARIO-mounts.txt"
  listed=no
  snap_json "$3" name > /dev/null && listed=yes
  case $1.$op_state in
    create-copy.completed) want="yes yes one one";;
    create-copy.rolled_back) want="no yes one -";;
    create-cow.completed) want="yes no one one";;
    create-cow.rolled_back) want="no yes one -";;
    destroy-cow.completed) want="no yes two -";;
    destroy-cow.rolled_back) want="yes no two one";;
    restore-cow.completed|restore-copy.completed) want="no yes one -";;
    restore-cow.rolled_back) want="yes no two one";;
    restore-copy.rolled_back) want="yes yes two one";;
    *) fail "$1 ended $op_state after recovery: expected completed or rolled_back";;
  esac
  # shellcheck disable=SC2086  # four words
  set -- "$1" "$2" "$3" $want
  [ "$listed" = "$4" ] || fail "$1 is $op_state but daxd lists snapshot $3: $listed (expected $4)"
  expect_dax "$5"
  expect_sums "$SV_MNT" "/tmp/sums-$6" "the origin after $1 $op_state"
  if [ "$7" = - ]; then
    [ -z "$(stack_devices)" ] || fail "$1 is $op_state but dm devices are left: $(stack_devices)"
  else
    expect_snapshot_content "$3" "/tmp/sums-$7" "snapshot $3 after $1 $op_state"
  fi
}
