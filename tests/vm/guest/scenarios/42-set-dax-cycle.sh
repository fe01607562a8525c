#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# PATCH /v1/volumes/{name} {dax} on the real kernel: always -> never -> always (and inode) on an
# ext4 volume. After each change /proc/mounts, daxd's volume, statx STATX_ATTR_DAX and whether a
# MAP_SYNC mapping is allowed must match the mode, and the files written before are intact.
# Writes set-dax-cycle-mounts.txt (the /proc/mounts line after each change).
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
need_daxd
need_programs
make_fsdax v-cyc region1 512M
start_daxd
need_api POST /v1/volumes
need_api PATCH /v1/volumes/no-such-volume

expect_status 201 POST "/v1/volumes?wait=$VOLUME_WAIT" \
  '{"name":"cyc","namespaces":["v-cyc"],"filesystem":"ext4","mountpoint":"/mnt/cyc","dax":"always"}'
start_writer /mnt/cyc/mapped 31
stop_pid "$WRITER"
[ "$RC" = 0 ] || fail "map_sync_writer exited $RC on SIGTERM"
cp /tmp/writer.sum /tmp/cyc.sum
dd if=/dev/urandom of=/mnt/cyc/plain bs=1M count=3 2> /dev/null || fail "cannot write /mnt/cyc/plain"
sync
plain_sum=$(md5sum < /mnt/cyc/plain)

# check_mode MODE STATX_DAX MAP_SYNC: the mount, daxd and the files agree with MODE.
check_mode() {
  grep ' /mnt/cyc ' /proc/mounts | tee -a "$R/set-dax-cycle-mounts.txt"
  [ "$(mount_dax /mnt/cyc)" = "$1" ] || fail "/mnt/cyc is dax=$(mount_dax /mnt/cyc), expected $1"
  [ "$(volume_json cyc dax)" = "$1" ] || fail "daxd shows cyc with dax=$(volume_json cyc dax)"
  [ "$(volume_json cyc state)" = active ] || fail "daxd shows cyc $(volume_json cyc state)"
  mmap_reader -s 31 -c /tmp/cyc.sum -d "$2" -m "$3" /mnt/cyc/mapped || fail "dax=$1: mapped file"
  [ "$(md5sum < /mnt/cyc/plain)" = "$plain_sum" ] || fail "dax=$1: /mnt/cyc/plain changed"
  rc=0
  rm -f /tmp/probe.pid
  map_sync_writer -z 2M -p /tmp/probe.pid "/mnt/cyc/probe-$1" > /tmp/probe.log 2>&1 &
  probe=$!
  i=0
  while [ ! -s /tmp/probe.pid ] && alive "$probe" && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  kill "$probe" 2> /dev/null
  wait "$probe" || rc=$?
  cat /tmp/probe.log
  case $3 in
    ok) [ $rc = 0 ] || fail "dax=$1: a new MAP_SYNC writer failed ($rc)";;
    unsupported) [ $rc = 3 ] || fail "dax=$1: a MAP_SYNC writer did not get EOPNOTSUPP ($rc)";;
  esac
}
check_mode always 1 ok

expect_status 200 PATCH "/v1/volumes/cyc?dry_run=true" '{"dax":"never"}'
[ "$(mount_dax /mnt/cyc)" = always ] || fail "a dry run changed the mount"
expect_status 200 PATCH "/v1/volumes/cyc?wait=$VOLUME_WAIT" '{"dax":"never"}'
[ "$(json_find "$OUT" changed)" = true ] || fail "always -> never did not say changed"
check_mode never 0 unsupported
expect_status 200 PATCH "/v1/volumes/cyc?wait=$VOLUME_WAIT" '{"dax":"never"}'
[ "$(json_find "$OUT" changed)" = false ] || fail "never -> never said changed"

expect_status 200 PATCH "/v1/volumes/cyc?wait=$VOLUME_WAIT" '{"dax":"always"}'
[ "$(json_find "$OUT" changed)" = true ] || fail "never -> always did not say changed"
check_mode always 1 ok

# dax=inode: files without FS_XFLAG_DAX are not DAX.
expect_status 200 PATCH "/v1/volumes/cyc?wait=$VOLUME_WAIT" '{"dax":"inode"}'
check_mode inode 0 unsupported
expect_status 200 PATCH "/v1/volumes/cyc?wait=$VOLUME_WAIT" '{"dax":"always"}'
check_mode always 1 ok
expect_status 400 PATCH "/v1/volumes/cyc?wait=$VOLUME_WAIT" '{"dax":"sometimes"}'

expect_status 200 DELETE "/v1/volumes/cyc?wait=$VOLUME_WAIT"
[ -z "$(dm_table cyc)" ] || fail "daxd-cyc is still there after the destroy"
exit 0
