#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Snapshots survive a "reboot": a cow snapshot (mounted read-only by daxd) and a copy snapshot of
# volume sv; with daxd stopped every mount goes and `dmsetup remove_all` takes the whole stack
# (what a reboot does; labels and data stay). daxd started again re-creates the cow stack (+real,
# +cow, @w1, daxd-sv as snapshot-origin, dax=never), the copy's DAX device and the read-only
# mount; the contents are those of before, and deleting the cow snapshot still brings DAX back.
# shellcheck source=/dev/null  # tests/vm/guest/*-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
. /snapshot-lib.sh
snap_setup

expect_rc 0 create-snapshot sv c1 -m copy --namespace st-copy
expect_rc 0 create-snapshot sv w1 -m cow --namespace st-cow --mountpoint /mnt/sv-w1
write_files "$SV_MNT" two
sums "$SV_MNT" > /tmp/sums-two
before=$(stack_devices | tr '\n' ' ')
echo "before: $before"
stop_daxd

echo "--- reboot: unmount everything under /mnt, dmsetup remove_all"
for m in $(awk '$2 ~ "^/mnt/" { print $2 }' /proc/mounts | sort -r); do umount "$m" || fail "umount $m"; done
dmsetup remove_all || fail "dmsetup remove_all"
[ -z "$(dmsetup ls 2> /dev/null | grep daxd-)" ] || fail "dm devices left: $(dmsetup ls)"

start_daxd
grep "reconcile" "$DAXD_LOG"
after=$(stack_devices | tr '\n' ' ')
echo "after: $after"
[ "$after" = "$before" ] || fail "the snapshot stack came back as '$after', was '$before'"
dm_table sv | grep -q " snapshot-origin " || fail "daxd-sv is not a snapshot-origin: $(dm_table sv)"
expect_dax no
expect_sums "$SV_MNT" /tmp/sums-two "the origin after the reboot"
grep -q " /mnt/sv-w1 " /proc/mounts || fail "w1's read-only mount did not come back"
expect_sums /mnt/sv-w1 /tmp/sums-one "cow snapshot w1 after the reboot"
[ "$(dm_queue_dax sv@c1)" = 1 ] || fail "the copy c1 came back without DAX"
expect_snapshot_content c1 /tmp/sums-one "copy snapshot c1 after the reboot"
expect_world_running

expect_rc 0 destroy-snapshot sv w1
expect_dax yes
expect_sums "$SV_MNT" /tmp/sums-two "the origin once its cow snapshot went"
exit 0
