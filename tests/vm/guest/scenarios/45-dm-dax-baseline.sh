#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The kernel facts the volume scenarios rely on, without daxd: dm-striped over two fsdax
# namespaces (one per region) is DAX-capable; ext4 on it mounts dax=always and allows MAP_SYNC;
# remounted dax=never (and dax=inode) /proc/mounts says so, statx shows no DAX, MAP_SYNC fails
# with EOPNOTSUPP and the data stay intact; xfs on dm-linear does the same.
# Writes dm-dax-baseline-mounts.txt (the /proc/mounts lines of each mode).
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
need_programs
[ -x /usr/bin/json_find ] || skip "json_find not built"
make_fsdax b-s0 region0 512M
make_fsdax b-s1 region1 512M
d0=$(ns_devno b-s0)
d1=$(ns_devno b-s1)
len=$(($(cat "/sys/class/block/$(ndctl_ns b-s0 blockdev)/size") / 4096 * 4096 * 2))
dmsetup create b-str --table "0 $len striped 2 4096 $d0 0 $d1 0" || fail "dmsetup create b-str failed"
minor=$(dmsetup info -c --noheadings -o minor b-str | tr -d ' ')
[ "$(cat "/sys/block/dm-$minor/queue/dax")" = 1 ] || fail "dm-striped over fsdax is not DAX-capable"
mkfs.ext4 -q -F -b 4096 /dev/mapper/b-str || fail "mkfs.ext4 failed"
mkdir -p /mnt/b-str

# remount_as MODE FSTYPE DEV DIR: mount with dax=MODE and record the /proc/mounts line.
remount_as() {
  umount "$4" 2> /dev/null
  mount -t "$2" -o "dax=$1" "$3" "$4" || fail "mount -o dax=$1 $3 failed"
  grep " $4 " /proc/mounts | tee -a "$R/dm-dax-baseline-mounts.txt"
  [ "$(mount_dax "$4")" = "$1" ] || fail "/proc/mounts shows $4 as dax=$(mount_dax "$4"), mounted dax=$1"
}

remount_as always ext4 /dev/mapper/b-str /mnt/b-str
start_writer /mnt/b-str/data 61
grep -q " sf" "/proc/$WRITER/smaps" || fail "no VM_SYNC ('sf') mapping in the writer's smaps"
stop_pid "$WRITER"
[ "$RC" = 0 ] || fail "map_sync_writer exited $RC on SIGTERM"
mmap_reader -s 61 -c /tmp/writer.sum -d 1 -m ok /mnt/b-str/data || fail "dax=always: data"
for mode in never inode always; do
  remount_as $mode ext4 /dev/mapper/b-str /mnt/b-str
  case $mode in always) d=1 m=ok;; *) d=0 m=unsupported;; esac
  mmap_reader -s 61 -c /tmp/writer.sum -d $d -m $m /mnt/b-str/data || fail "dax=$mode: data or probes"
done
rc=0
map_sync_writer -z 2M /mnt/b-str/x > /tmp/x.log 2>&1 &
x=$!
sleep 1
kill "$x" 2> /dev/null
wait "$x" || rc=$?
[ $rc = 0 ] || fail "MAP_SYNC writer on dax=always exited $rc: $(cat /tmp/x.log)"
umount /mnt/b-str
remount_as never ext4 /dev/mapper/b-str /mnt/b-str
rc=0
map_sync_writer -z 2M /mnt/b-str/y > /tmp/y.log 2>&1 || rc=$?
cat /tmp/y.log
[ $rc = 3 ] || fail "MAP_SYNC on dax=never: exit $rc, expected 3 (EOPNOTSUPP)"
umount /mnt/b-str
dmsetup remove b-str || fail "dmsetup remove b-str failed"

# xfs on dm-linear over the 502 MiB namespace.
sectors=$(cat "/sys/class/block/$(ndctl_ns b-s0 blockdev)/size")
dmsetup create b-lin --table "0 $sectors linear $d0 0" || fail "dmsetup create b-lin failed"
mkfs.xfs -q -f -m reflink=0 /dev/mapper/b-lin || fail "mkfs.xfs failed"
mkdir -p /mnt/b-lin
remount_as always xfs /dev/mapper/b-lin /mnt/b-lin
start_writer /mnt/b-lin/data 62
stop_pid "$WRITER"
for mode in never always; do
  remount_as $mode xfs /dev/mapper/b-lin /mnt/b-lin
  case $mode in always) d=1 m=ok;; *) d=0 m=unsupported;; esac
  mmap_reader -s 62 -c /tmp/writer.sum -d $d -m $m /mnt/b-lin/data || fail "xfs dax=$mode: data or probes"
done
umount /mnt/b-lin
dmsetup remove b-lin
exit 0
