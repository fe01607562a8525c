#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A striped volume over two fsdax namespaces, one per region (two NVDIMMs), ext4 mounted with
# dax=always on the real kernel: dm-striped stays DAX-capable, MAP_SYNC works across the stripes
# and the data read back; then destroy. Writes volume-striped-{dmsetup,mounts}.txt.
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
need_daxd
need_programs
make_fsdax v-s0 region0 512M
make_fsdax v-s1 region1 512M
start_daxd
need_api POST /v1/volumes

body='{"name":"str","namespaces":["v-s0","v-s1"],"layout":"striped","stripe_size":"2M",'
body=$body'"filesystem":"ext4","mountpoint":"/mnt/str","dax":"always"}'
expect_status 201 POST "/v1/volumes?wait=$VOLUME_WAIT" "$body"
table=$(dm_table str)
echo "dmsetup table daxd-str: $table" | tee "$R/volume-striped-dmsetup.txt"
# "0 LEN striped 2 4096 MAJ:MIN 0 MAJ:MIN 0": 2 MiB chunks are 4096 sectors.
echo "$table" | grep -qE "^0 [0-9]+ striped 2 4096 $(ns_devno v-s0) 0 $(ns_devno v-s1) 0\$" ||
  fail "daxd-str's table is '$table'"
len=$(echo "$table" | cut -d' ' -f2)
s0=$(cat "/sys/class/block/$(ndctl_ns v-s0 blockdev)/size")
s1=$(cat "/sys/class/block/$(ndctl_ns v-s1 blockdev)/size")
short=$((s0 < s1 ? s0 : s1))
[ "$len" = $((short / 4096 * 4096 * 2)) ] || fail "striped length $len, expected 2 x $short rounded to chunks"
[ "$(dm_queue_dax str)" = 1 ] || fail "daxd-str is not DAX-capable (queue/dax)"
grep ' /mnt/str ' /proc/mounts | tee "$R/volume-striped-mounts.txt"
[ "$(mount_dax /mnt/str)" = always ] || fail "/mnt/str is dax=$(mount_dax /mnt/str)"
[ "$(volume_json str layout)" = striped ] || fail "daxd does not show str as striped"

# 8 MiB = four chunks: the writer's mapping spans both namespaces.
start_writer /mnt/str/data 21
mmap_reader -s 21 -c /tmp/writer.sum -d 1 -m ok /mnt/str/data || fail "striped: the data do not read back"
stop_pid "$WRITER"
[ "$RC" = 0 ] || fail "map_sync_writer exited $RC on SIGTERM"
# Remounted by hand: the data were flushed to the namespaces, not only cached.
umount /mnt/str || fail "cannot unmount /mnt/str"
mount -t ext4 -o dax=always /dev/mapper/daxd-str /mnt/str || fail "cannot mount daxd-str again"
mmap_reader -s 21 -c /tmp/writer.sum -d 1 -m ok /mnt/str/data || fail "striped: data lost over a remount"
expect_status 200 DELETE "/v1/volumes/str?wait=$VOLUME_WAIT"
[ -z "$(dm_table str)" ] || fail "daxd-str is still there after the destroy"
[ "$(mount_dax /mnt/str)" = none ] || fail "/mnt/str is still mounted after the destroy"
exit 0
