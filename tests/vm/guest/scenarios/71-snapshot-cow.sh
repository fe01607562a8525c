#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# cow snapshots of a mounted DAX volume through daxadm: the first one suspends DAX (snapshot-
# origin table, queue/dax 0, dax=never, MAP_SYNC refused, dax_capable false, set-dax refused);
# the snapshot mounted read-only holds the files of the moment it was made, later origin writes
# do not show in it; a second cow snapshot only suspends the origin; deleting the last one
# brings DAX back (linear table, queue/dax 1, dax=always, MAP_SYNC) with the origin's data kept;
# restore (merge) of a further one brings its files back and DAX with them.
# shellcheck source=/dev/null  # tests/vm/guest/*-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
. /snapshot-lib.sh
snap_setup

expect_rc 0 create-snapshot sv w1 -m cow --namespace st-cow
expect_world_running
expect_dax no
dm_table sv | grep -q " snapshot-origin " || fail "daxd-sv is not a snapshot-origin: $(dm_table sv)"
[ "$(snap_json w1 method)" = cow ] || fail "w1 is not a cow snapshot"
echo "w1: stopped_ms=$(snap_json w1 stopped_ms)" | tee "$R/$SCENARIO.txt"
expect_rc 1 set-dax sv always
[ "$(mount_dax "$SV_MNT")" = never ] || fail "a refused set-dax changed the mount"
expect_rc 0 mount-snapshot sv w1 /mnt/sv-w1
expect_sums /mnt/sv-w1 /tmp/sums-one "cow snapshot w1"
write_files "$SV_MNT" two
sums "$SV_MNT" > /tmp/sums-two
expect_sums /mnt/sv-w1 /tmp/sums-one "w1 after later writes to the origin"
expect_sums "$SV_MNT" /tmp/sums-two "the origin with a cow snapshot"

expect_rc 0 create-snapshot sv w2 -m cow --namespace st-cow2
expect_world_running
write_files "$SV_MNT" three
sums "$SV_MNT" > /tmp/sums-three
expect_snapshot_content w2 /tmp/sums-two "cow snapshot w2"
expect_rc 0 destroy-snapshot sv w2
expect_dax no
expect_rc 0 destroy-snapshot sv w1
expect_world_running
expect_dax yes
expect_sums "$SV_MNT" /tmp/sums-three "the origin after its last cow snapshot went"
[ -z "$(stack_devices)" ] || fail "dm devices left: $(stack_devices)"
dm_table sv | grep -q " linear $(ns_devno v-sv) 0\$" || fail "daxd-sv did not get its table back: $(dm_table sv)"
start_writer "$SV_MNT/data" 71
stop_pid "$WRITER"

# w3 reuses w1's store: it must start empty (an old COW header would bring w1's exceptions back).
expect_rc 0 create-snapshot sv w3 -m cow --namespace st-cow
write_files "$SV_MNT" four
expect_snapshot_content w3 /tmp/sums-three "cow snapshot w3 in the store w1 used"
expect_rc 0 restore-snapshot sv w3
expect_world_running
expect_dax yes
expect_sums "$SV_MNT" /tmp/sums-three "the origin after merging w3"
snap_json w3 name > /dev/null && fail "w3 is still listed after its restore"
[ -z "$(stack_devices)" ] || fail "dm devices left after the merge: $(stack_devices)"
exit 0
