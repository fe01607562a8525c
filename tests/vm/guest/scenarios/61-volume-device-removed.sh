#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Devices vanishing under a running daxd: the kernel's uevents (netlink, no udevd here) make it
# mark the volume failed and emit volume-failed. First an admin's `dmsetup remove` of a volume's
# device, then a surprise removal of the pmem device under another volume (its pfn device
# unbound from nd_pmem through sysfs: ndctl disable-namespace refuses a device dm holds).
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
need_daxd
need_programs
make_fsdax v-gone1 region0 256M
make_fsdax v-gone2 region1 256M
start_daxd
need_api POST /v1/volumes
grep -q "device events unavailable" "$DAXD_LOG" && fail "daxd started without uevents: $(cat "$DAXD_LOG")"

expect_status 201 POST "/v1/volumes?wait=$VOLUME_WAIT" \
  '{"name":"gone1","namespaces":["v-gone1"],"filesystem":"none"}'
expect_status 201 POST "/v1/volumes?wait=$VOLUME_WAIT" \
  '{"name":"gone2","namespaces":["v-gone2"],"filesystem":"none"}'
[ "$(volume_json gone1 state)" = active ] || fail "gone1 is not active"

# wait_failed NAME: the volume-failed event for NAME arrives (replayed from the event log).
wait_failed() {
  timeout 30 daxadm --socket "$SOCK" events --since 0 --type volume-failed -c "$2" > /tmp/ev.txt 2>&1
  cat /tmp/ev.txt
  grep -q "\"volume\":\"$1\"" /tmp/ev.txt || fail "no volume-failed event for $1"
}

echo "--- dmsetup remove daxd-gone1 behind daxd's back"
dmsetup remove daxd-gone1 || fail "cannot remove daxd-gone1"
wait_failed gone1 1
[ "$(volume_json gone1 state)" = failed ] || fail "daxd does not show gone1 failed"
volume_json gone1 reason

blk=$(ndctl_ns v-gone2 blockdev)
pfn=$(basename "$(readlink -f "/sys/class/block/$blk/device")")
echo "--- unbind $pfn (/dev/$blk) from nd_pmem under gone2"
echo "$pfn" > /sys/bus/nd/drivers/nd_pmem/unbind || fail "cannot unbind $pfn"
[ -e "/sys/class/block/$blk" ] && fail "/dev/$blk is still there after the unbind"
wait_failed gone2 2
[ "$(volume_json gone2 state)" = failed ] || fail "daxd does not show gone2 failed"
volume_json gone2 reason

# Clean up for the next scenario: the dead table, then the device back.
stop_daxd
dmsetup remove daxd-gone2 || fail "cannot remove daxd-gone2"
echo "$pfn" > /sys/bus/nd/drivers/nd_pmem/bind || fail "cannot bind $pfn again"
exit 0
