#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# POST /v1/volumes on the real kernel: a linear volume over one fsdax namespace, ext4 (4 KiB
# blocks) and then xfs, mounted dax=always. dmsetup, /sys queue/dax, /proc/mounts and a MAP_SYNC
# mapping must agree with what daxd answered; the same spec again changes nothing, another spec
# is refused; DELETE is refused while a MAP_SYNC writer holds it (its pid named), then succeeds.
# Writes volume-linear-{create,dmsetup,mounts}.txt for reading after the run.
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
need_daxd
need_programs
make_fsdax v-lin region0 512M
start_daxd
need_api POST /v1/volumes

body='{"name":"lin","namespaces":["v-lin"],"filesystem":"ext4","mountpoint":"/mnt/lin","dax":"always"}'
expect_status 200 POST "/v1/volumes?dry_run=true" "$body"
[ -z "$(dm_table lin)" ] || fail "a dry run created daxd-lin"
expect_status 201 POST "/v1/volumes?wait=$VOLUME_WAIT" "$body"
cp "$OUT" "$R/volume-linear-create.txt"
[ "$(json_find "$OUT" changed)" = true ] || fail "the create did not say changed"

# The kernel's view: one linear target over the whole namespace, DAX-capable, ext4 dax=always.
table=$(dm_table lin)
echo "dmsetup table daxd-lin: $table" | tee "$R/volume-linear-dmsetup.txt"
sectors=$(cat "/sys/class/block/$(ndctl_ns v-lin blockdev)/size")
[ "$table" = "0 $sectors linear $(ns_devno v-lin) 0" ] ||
  fail "daxd-lin's table is '$table', expected '0 $sectors linear $(ns_devno v-lin) 0'"
[ "$(dm_queue_dax lin)" = 1 ] || fail "daxd-lin is not DAX-capable (queue/dax)"
grep ' /mnt/lin ' /proc/mounts | tee "$R/volume-linear-mounts.txt"
grep -q '^/dev/mapper/daxd-lin /mnt/lin ext4 ' /proc/mounts || fail "/mnt/lin is not daxd-lin's ext4"
[ "$(mount_dax /mnt/lin)" = always ] || fail "/mnt/lin is dax=$(mount_dax /mnt/lin)"
/usr/sbin/dumpe2fs -h /dev/mapper/daxd-lin 2> /dev/null | grep -q '^Block size: *4096$' ||
  fail "ext4 on daxd-lin does not have 4 KiB blocks"
[ "$(volume_json lin state)" = active ] || fail "daxd does not show lin active"
[ "$(volume_json lin dax)" = always ] || fail "daxd does not show lin with dax=always"

# CSI idempotency: same spec -> 200 unchanged; another spec for the name -> 409.
expect_status 200 POST "/v1/volumes?wait=$VOLUME_WAIT" "$body"
[ "$(json_find "$OUT" changed)" = false ] || fail "the repeated create said changed"
expect_status 409 POST "/v1/volumes?wait=$VOLUME_WAIT" \
  '{"name":"lin","namespaces":["v-lin"],"filesystem":"xfs","mountpoint":"/mnt/lin","dax":"always"}'

# A MAP_SYNC writer: the mapping works, and it blocks the destroy (pid named).
start_writer /mnt/lin/data 11
mmap_reader -s 11 -c /tmp/writer.sum -d 1 -m ok /mnt/lin/data || fail "the writer's data do not read back"
expect_status 409 DELETE "/v1/volumes/lin?wait=$VOLUME_WAIT"
body_has "pid $WRITER"
[ -n "$(dm_table lin)" ] || fail "a refused destroy removed daxd-lin"
stop_pid "$WRITER"
[ "$RC" = 0 ] || fail "map_sync_writer exited $RC on SIGTERM"
expect_status 200 DELETE "/v1/volumes/lin?wait=$VOLUME_WAIT"
[ -z "$(dm_table lin)" ] || fail "daxd-lin is still there after the destroy"
[ "$(mount_dax /mnt/lin)" = none ] || fail "/mnt/lin is still mounted after the destroy"
volume_json lin name > /dev/null && fail "daxd still lists volume lin"

# xfs (needs 300 MB or more: the namespace has 502 MiB) over the same namespace: the old ext4
# is there, so the create needs force.
body='{"name":"linx","namespaces":["v-lin"],"filesystem":"xfs","mountpoint":"/mnt/linx","dax":"always"}'
expect_status 409 POST "/v1/volumes?wait=$VOLUME_WAIT" "$body"
body_has ext4
body='{"name":"linx","namespaces":["v-lin"],"filesystem":"xfs","mountpoint":"/mnt/linx","dax":"always","force":true}'
expect_status 201 POST "/v1/volumes?wait=$VOLUME_WAIT" "$body"
grep ' /mnt/linx ' /proc/mounts | tee -a "$R/volume-linear-mounts.txt"
grep -q '^/dev/mapper/daxd-linx /mnt/linx xfs ' /proc/mounts || fail "/mnt/linx is not daxd-linx's xfs"
[ "$(mount_dax /mnt/linx)" = always ] || fail "/mnt/linx is dax=$(mount_dax /mnt/linx)"
start_writer /mnt/linx/data 12
mmap_reader -s 12 -c /tmp/writer.sum -d 1 -m ok /mnt/linx/data || fail "xfs: the data do not read back"
stop_pid "$WRITER"
expect_status 200 DELETE "/v1/volumes/linx?wait=$VOLUME_WAIT"
[ -z "$(dm_table linx)" ] || fail "daxd-linx is still there after the destroy"
exit 0
