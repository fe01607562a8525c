#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A copy and a cow snapshot of the same mounted DAX volume: both succeed, each holds the files
# of its own moment, the origin has the latest; both are listed; restoring the copy is refused
# while the cow snapshot exists (named); deleting both leaves the DAX volume as it was.
# shellcheck source=/dev/null  # tests/vm/guest/*-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
. /snapshot-lib.sh
snap_setup
expect_rc 0 create-snapshot sv c1 -m copy --namespace st-copy
write_files "$SV_MNT" two
sums "$SV_MNT" > /tmp/sums-two
expect_rc 0 create-snapshot sv w1 -m cow --namespace st-cow
write_files "$SV_MNT" three
sums "$SV_MNT" > /tmp/sums-three
expect_world_running
expect_dax no
expect_snapshot_content c1 /tmp/sums-one "copy snapshot c1"
expect_snapshot_content w1 /tmp/sums-two "cow snapshot w1"
expect_sums "$SV_MNT" /tmp/sums-three "the origin"
expect_status 200 GET /v1/volumes/sv/snapshots
json_find "$OUT" -w name=c1 -w method=copy > /dev/null || fail "GET .../snapshots does not list c1 (copy)"
json_find "$OUT" -w name=w1 -w method=cow > /dev/null || fail "GET .../snapshots does not list w1 (cow)"
expect_rc 1 restore-snapshot sv c1
stderr_has w1
expect_sums "$SV_MNT" /tmp/sums-three "the origin after a refused restore"
expect_rc 0 destroy-snapshot sv w1
expect_dax yes
expect_rc 0 destroy-snapshot sv c1
expect_world_running
expect_dax yes
[ -z "$(stack_devices)" ] || fail "dm devices left: $(stack_devices)"
expect_sums "$SV_MNT" /tmp/sums-three "the origin after both snapshots went"
exit 0
