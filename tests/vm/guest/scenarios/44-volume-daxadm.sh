#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The volume verbs of daxadm on the real kernel: create-volume (linear, ext4, dax=always),
# consumers, set-dax never/always with the mount following, a MAP_SYNC writer blocking set-dax
# never with its pid named, --policy terminate, destroy-volume.
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
need_daxd
need_programs
need_verb create-volume destroy-volume set-dax consumers
make_fsdax v-cli region1 512M
start_daxd

expect_rc 0 create-volume cli -n v-cli -t ext4 -m /mnt/cli --dax always --dry-run
[ -z "$(dm_table cli)" ] || fail "--dry-run created daxd-cli"
expect_rc 0 create-volume cli -n v-cli -t ext4 -m /mnt/cli --dax always
stderr_has "created volume cli"
[ "$(json_find "$OUT" -w name=cli -c)" != 0 ] || fail "create-volume did not print volume cli"
[ -n "$(dm_table cli)" ] || fail "no daxd-cli after create-volume"
[ "$(mount_dax /mnt/cli)" = always ] || fail "/mnt/cli is dax=$(mount_dax /mnt/cli)"
expect_rc 0 create-volume cli -n v-cli -t ext4 -m /mnt/cli --dax always

expect_rc 0 set-dax cli never
[ "$(mount_dax /mnt/cli)" = never ] || fail "/mnt/cli is dax=$(mount_dax /mnt/cli) after set-dax never"
expect_rc 0 set-dax cli always
[ "$(mount_dax /mnt/cli)" = always ] || fail "/mnt/cli is dax=$(mount_dax /mnt/cli) after set-dax always"

start_writer /mnt/cli/data 51
expect_rc 0 consumers cli
grep -q "$WRITER" "$OUT" || fail "daxadm consumers cli does not list pid $WRITER"
expect_rc 1 set-dax cli never
stderr_has "pid $WRITER"
alive "$WRITER" || fail "a refused set-dax stopped the writer"
expect_rc 0 set-dax cli never --policy terminate --deadline 10
wait "$WRITER"
echo "writer exit status after --policy terminate: $?"
alive "$WRITER" && fail "the writer survived --policy terminate"
[ "$(mount_dax /mnt/cli)" = never ] || fail "/mnt/cli is dax=$(mount_dax /mnt/cli)"
mmap_reader -s 51 -c /tmp/writer.sum -d 0 -m unsupported /mnt/cli/data || fail "the data changed"

expect_rc 0 destroy-volume cli
[ -z "$(dm_table cli)" ] || fail "daxd-cli is still there after destroy-volume"
[ "$(mount_dax /mnt/cli)" = none ] || fail "/mnt/cli is still mounted"
expect_rc 1 destroy-volume cli
exit 0
