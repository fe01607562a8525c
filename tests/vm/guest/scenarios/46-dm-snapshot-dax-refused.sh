#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Issue 6's kernel fact, without daxd: a DAX-capable dm-linear device over an fsdax namespace,
# mounted dax=always, cannot be turned into a snapshot-origin the LVM way (suspend; reload):
# dmsetup says "reload ioctl on ... failed: Invalid argument", the kernel "can't change device
# type (old=3 vs new=1) after initial table load"; after resume the device is unchanged and still
# DAX (queue/dax, dax=always, MAP_SYNC). A snapshot target over it is never DAX-capable. A device
# whose first table is snapshot-origin is not DAX-capable, mounts only without DAX, and can later
# be reloaded with the linear table (the path back that cow snapshots take).
# Writes dm-snapshot-dax-refused.txt (the exact texts).
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
need_programs
[ -x /usr/bin/json_find ] || skip "json_find not built"
FACTS=$R/$SCENARIO.txt
: > "$FACTS"
fact() { echo "$*" | tee -a "$FACTS"; }
queue_dax() { cat "/sys/block/dm-$(dmsetup info -c --noheadings -o minor "$1" | tr -d ' ')/queue/dax"; }
new_kernel_lines() { dmesg | tail -n +$((KLINES + 1)); }

make_fsdax s-base region0 512M
make_fsdax s-store region1 256M
d0=$(ns_devno s-base)
ds=$(ns_devno s-store)
sectors=$(cat "/sys/class/block/$(ndctl_ns s-base blockdev)/size")
store=$(cat "/sys/class/block/$(ndctl_ns s-store blockdev)/size")
dmsetup create s-vol --table "0 $sectors linear $d0 0" || fail "dmsetup create s-vol failed"
[ "$(queue_dax s-vol)" = 1 ] || fail "dm-linear over fsdax is not DAX-capable"
mkfs.ext4 -q -F -b 4096 /dev/mapper/s-vol || fail "mkfs.ext4 failed"
mkdir -p /mnt/s-vol
mount -t ext4 -o dax=always /dev/mapper/s-vol /mnt/s-vol || fail "mount dax=always failed"
echo "written before the reload" > /mnt/s-vol/before
sync
dmsetup create s-vol-real --table "0 $sectors linear $d0 0" || fail "dmsetup create s-vol-real failed"
dmsetup create s-vol-cow --table "0 $store linear $ds 0" || fail "dmsetup create s-vol-cow failed"

# lvcreate -s: suspend the origin, load the snapshot-origin table, resume.
KLINES=$(dmesg | wc -l)
dmsetup suspend s-vol || fail "dmsetup suspend s-vol failed"
rc=0
dmsetup reload s-vol --table "0 $sectors snapshot-origin /dev/mapper/s-vol-real" 2> /tmp/reload.err || rc=$?
fact "dmsetup reload s-vol (snapshot-origin): rc=$rc"
sed 's/^/  dmsetup| /' /tmp/reload.err | tee -a "$FACTS"
new_kernel_lines | sed 's/^/  kernel| /' | tee -a "$FACTS"
[ $rc = 1 ] || fail "the reload of a DAX device with snapshot-origin exited $rc, expected 1"
grep -q "reload ioctl on s-vol .*failed: Invalid argument" /tmp/reload.err ||
  fail "dmsetup did not say 'reload ioctl on s-vol ... failed: Invalid argument'"
new_kernel_lines | grep -q "can't change device type (old=3 vs new=1) after initial table load" ||
  fail "the kernel did not log 'can't change device type (old=3 vs new=1)'"
state=$(dmsetup info s-vol | sed -n 's/^State: *//p')
fact "after the failed reload: State $state, inactive table '$(dmsetup table --inactive s-vol)'"
[ "$state" = SUSPENDED ] || fail "s-vol is $state after the failed reload, expected SUSPENDED"
dmsetup resume s-vol || fail "dmsetup resume s-vol failed"
state=$(dmsetup info s-vol | sed -n 's/^State: *//p')
fact "after resume: State $state, table '$(dmsetup table s-vol)', queue/dax $(queue_dax s-vol), /mnt/s-vol dax=$(mount_dax /mnt/s-vol)"
[ "$state" = ACTIVE ] || fail "s-vol is $state after resume"
dmsetup table s-vol | grep -q " linear $d0 0\$" || fail "the table of s-vol changed"
[ "$(queue_dax s-vol)" = 1 ] || fail "s-vol lost DAX"
[ "$(mount_dax /mnt/s-vol)" = always ] || fail "/mnt/s-vol is no longer dax=always"
echo "written after the resume" > /mnt/s-vol/after || fail "cannot write /mnt/s-vol after the resume"
grep -q "before the reload" /mnt/s-vol/before || fail "the data written before the reload changed"
start_writer /mnt/s-vol/data 46
grep -q " sf" "/proc/$WRITER/smaps" || fail "no MAP_SYNC ('sf') mapping after the resume"
stop_pid "$WRITER"
[ "$RC" = 0 ] || fail "map_sync_writer exited $RC"
umount /mnt/s-vol || fail "umount /mnt/s-vol failed"

# A snapshot target is never DAX-capable (its COW store on pmem or not).
dmsetup create s-snap --table "0 $sectors snapshot /dev/mapper/s-vol-real /dev/mapper/s-vol-cow P 8" ||
  fail "dmsetup create s-snap failed"
fact "snapshot over a DAX origin with a pmem COW store: queue/dax $(queue_dax s-snap)"
[ "$(queue_dax s-snap)" = 0 ] || fail "a dm-snapshot device is DAX-capable"
dmsetup remove s-snap
dmsetup remove s-vol || fail "dmsetup remove s-vol failed"

# What cow snapshots do instead: a new device whose first table is snapshot-origin.
dmsetup create s-vol --table "0 $sectors snapshot-origin /dev/mapper/s-vol-real" ||
  fail "dmsetup create s-vol as snapshot-origin failed"
fact "new device with a snapshot-origin first table: queue/dax $(queue_dax s-vol)"
[ "$(queue_dax s-vol)" = 0 ] || fail "a snapshot-origin device is DAX-capable"
KLINES=$(dmesg | wc -l)
rc=0
mount -t ext4 -o dax=always /dev/mapper/s-vol /mnt/s-vol 2> /tmp/mount.err || rc=$?
fact "mount -o dax=always on it: rc=$rc"
sed 's/^/  mount| /' /tmp/mount.err | tee -a "$FACTS"
new_kernel_lines | sed 's/^/  kernel| /' | tee -a "$FACTS"
[ $rc != 0 ] || fail "dax=always mounted on a snapshot-origin device"
mount -t ext4 -o dax=never /dev/mapper/s-vol /mnt/s-vol || fail "mount dax=never on snapshot-origin failed"
grep -q "before the reload" /mnt/s-vol/before || fail "the data differ through the snapshot-origin"
umount /mnt/s-vol
# Back to the linear table in the same device (type fixed as BIO_BASED by the first table).
KLINES=$(dmesg | wc -l)
rc=0
{ dmsetup suspend s-vol && dmsetup reload s-vol --table "0 $sectors linear $d0 0" &&
  dmsetup resume s-vol; } 2> /tmp/reload.err || rc=$?
fact "reload of that device with the linear table: rc=$rc, queue/dax $(queue_dax s-vol)"
sed 's/^/  dmsetup| /' /tmp/reload.err | tee -a "$FACTS"
new_kernel_lines | sed 's/^/  kernel| /' | tee -a "$FACTS"
rc=0
mount -t ext4 -o dax=always /dev/mapper/s-vol /mnt/s-vol 2> /tmp/mount.err || rc=$?
fact "then mount -o dax=always: rc=$rc $(cat /tmp/mount.err) (dax=$(mount_dax /mnt/s-vol))"
umount /mnt/s-vol 2> /dev/null
dmsetup remove s-vol
dmsetup remove s-vol-real
dmsetup remove s-vol-cow
exit 0
