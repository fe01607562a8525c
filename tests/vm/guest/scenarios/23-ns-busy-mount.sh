#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A namespace under a mounted dax filesystem: destroy and reconfigure are refused (exit 1, the
# mount point named) also with --force and --policy terminate; unmounted, the ext4 signature
# still needs --force.
# shellcheck source=/dev/null  # tests/vm/guest/scenario-lib.sh, installed as /scenario-lib.sh
. /scenario-lib.sh
need_daxd
need_verb create-namespace destroy-namespace reconfigure-namespace
start_daxd

expect_rc 0 create-namespace -r region0 -s 512M -m fsdax -n d-mnt
pmem=$(ndctl_ns d-mnt blockdev) || fail "ndctl shows no blockdev for d-mnt"
mkfs.ext4 -q -F -b 4096 "/dev/$pmem" || fail "mkfs.ext4 failed"
mkdir -p /mnt/busy
mount -t ext4 -o dax /dev/"$pmem" /mnt/busy || fail "mount -o dax failed"

consumers_have d-mnt path=/mnt/busy
expect_rc 1 destroy-namespace d-mnt
stderr_has /mnt/busy
expect_rc 1 destroy-namespace d-mnt -f
stderr_has /mnt/busy
expect_rc 1 destroy-namespace d-mnt --policy terminate
stderr_has /mnt/busy
expect_rc 1 reconfigure-namespace d-mnt -m devdax
stderr_has /mnt/busy
[ "$(ndctl_ns d-mnt mode)" = fsdax ] || fail "a refused request changed d-mnt"
grep -q " /mnt/busy " /proc/mounts || fail "/mnt/busy is no longer mounted"

umount /mnt/busy
expect_rc 1 destroy-namespace d-mnt
stderr_has force
expect_rc 0 destroy-namespace d-mnt -f
ndctl_ns d-mnt mode && fail "ndctl still lists d-mnt"
exit 0
