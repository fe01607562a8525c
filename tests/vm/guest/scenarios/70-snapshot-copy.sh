#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A copy snapshot of a mounted DAX volume through daxadm: a MAP_SYNC writer refuses it (its pid
# named: its stores could slip past the freeze), a plain MAP_SHARED reader does not; the copy
# holds the origin's files as they were at the freeze (md5sums), later origin writes do not show
# in it (mounted read-only by daxd); the origin keeps DAX throughout; the operation reports how
# long the origin was frozen; restore brings the snapshot's files back onto the volume, which
# now lives on the copy's extents and is still DAX-capable. Writes snapshot-copy.txt.
# shellcheck source=/dev/null  # tests/vm/guest/*-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
. /snapshot-lib.sh
snap_setup

start_writer "$SV_MNT/data" 70
expect_rc 1 create-snapshot sv c1 -m copy --namespace st-copy
stderr_has "pid $WRITER"
alive "$WRITER" || fail "a refused snapshot stopped the writer"
stop_pid "$WRITER"
mmap_reader -p /tmp/reader.pid "$SV_MNT/d/text" > /tmp/reader.log 2>&1 &
READER=$!
HOLDERS="$HOLDERS $READER"
sleep 1

expect_rc 0 create-snapshot sv c1 -m copy --namespace st-copy --dry-run
[ -z "$(stack_devices)" ] || fail "--dry-run created $(stack_devices)"
expect_rc 0 create-snapshot sv c1 -m copy --namespace st-copy --mountpoint /mnt/sv-c1
alive "$READER" || fail "the copy stopped a plain MAP_SHARED reader"
stop_pid "$READER"
expect_world_running
expect_dax yes
[ "$(snap_json c1 method)" = copy ] || fail "c1 is not a copy snapshot"
[ "$(snap_json c1 dax_capable)" = true ] || fail "the copy c1 is not DAX-capable"
echo "c1: stopped_ms=$(snap_json c1 stopped_ms) frozen_ms=$(snap_json c1 frozen_ms)" | tee "$R/$SCENARIO.txt"
snap_json c1 frozen_ms > /dev/null || fail "c1 reports no frozen_ms"
[ "$(dm_queue_dax sv@c1)" = 1 ] || fail "daxd-sv@c1 is not DAX-capable"
case $(awk '$2 == "/mnt/sv-c1" { print $4 }' /proc/mounts) in
  ro,*|ro) ;;
  *) fail "/mnt/sv-c1 is not mounted read-only: $(grep /mnt/sv-c1 /proc/mounts)";;
esac
expect_sums /mnt/sv-c1 /tmp/sums-one "the copy"
write_files "$SV_MNT" two
sums "$SV_MNT" > /tmp/sums-two
expect_sums /mnt/sv-c1 /tmp/sums-one "the copy after later writes to the origin"
expect_rc 0 create-snapshot sv c1 -m copy --namespace st-copy --mountpoint /mnt/sv-c1

expect_rc 0 restore-snapshot sv c1
expect_world_running
expect_dax yes
expect_sums "$SV_MNT" /tmp/sums-one "the origin after restoring c1"
snap_json c1 name > /dev/null && fail "c1 is still listed after its restore"
[ -z "$(stack_devices)" ] || fail "dm devices left after the restore: $(stack_devices)"
dm_table sv | grep -q " linear $(ns_devno st-copy) 0\$" || fail "daxd-sv is not on the copy's extents: $(dm_table sv)"
start_writer "$SV_MNT/after" 71
stop_pid "$WRITER"
exit 0
