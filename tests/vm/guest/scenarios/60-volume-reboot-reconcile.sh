#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Volumes come back after a "reboot": with daxd stopped, its filesystem is unmounted and its dm
# device removed (what a reboot does to the kernel; the labels and data stay); daxd started
# again re-creates the same DAX-capable table and re-mounts with the desired dax mode, through a
# journaled reconcile-volume operation. A second start finds nothing to do.
# Writes volume-reboot-{before,after}.txt for reading after the run.
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
need_daxd
need_programs
make_fsdax v-rb region0 512M
start_daxd
need_api POST /v1/volumes

body='{"name":"rb","namespaces":["v-rb"],"filesystem":"ext4","mountpoint":"/mnt/rb","dax":"always"}'
expect_status 201 POST "/v1/volumes?wait=$VOLUME_WAIT" "$body"
before=$(dm_table rb)
echo "dmsetup table daxd-rb: $before" | tee "$R/volume-reboot-before.txt"
echo persisted > /mnt/rb/marker || fail "cannot write /mnt/rb/marker"
sync
stop_daxd

echo "--- reboot: unmount /mnt/rb, dmsetup remove daxd-rb"
umount /mnt/rb || fail "cannot unmount /mnt/rb"
dmsetup remove daxd-rb || fail "cannot remove daxd-rb"
[ -z "$(dm_table rb)" ] || fail "daxd-rb is still there"

start_daxd
grep "reconcile:" "$DAXD_LOG"
grep -q "reconcile: volume 'rb': re-create /dev/mapper/daxd-rb" "$DAXD_LOG" ||
  fail "daxd's log does not report re-creating rb"
after=$(dm_table rb)
echo "dmsetup table daxd-rb: $after" | tee "$R/volume-reboot-after.txt"
[ "$after" = "$before" ] || fail "daxd-rb came back as '$after', was '$before'"
[ "$(dm_queue_dax rb)" = 1 ] || fail "daxd-rb came back without DAX (queue/dax)"
grep -q '^/dev/mapper/daxd-rb /mnt/rb ext4 ' /proc/mounts || fail "/mnt/rb is not daxd-rb's ext4"
[ "$(mount_dax /mnt/rb)" = always ] || fail "/mnt/rb is dax=$(mount_dax /mnt/rb)"
[ "$(cat /mnt/rb/marker)" = persisted ] || fail "the file written before the reboot is gone"
[ "$(volume_json rb state)" = active ] || fail "daxd does not show rb active"
expect_status 200 GET "/v1/operations"
body_has reconcile-volume

# Nothing to do the second time.
stop_daxd
start_daxd
grep -c "reconcile: volume 'rb'" "$DAXD_LOG" | grep -qx 1 || fail "the second start reconciled again"
[ "$(volume_json rb state)" = active ] || fail "daxd does not show rb active after a restart"
expect_status 200 DELETE "/v1/volumes/rb?wait=$VOLUME_WAIT"
exit 0
