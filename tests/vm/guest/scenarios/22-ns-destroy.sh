#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# daxadm destroy-namespace on the real kernel: the namespace goes, the region gets its capacity
# back; --dry-run and a second destroy change nothing.
# shellcheck source=/dev/null  # tests/vm/guest/scenario-lib.sh, installed as /scenario-lib.sh
. /scenario-lib.sh
need_daxd
need_verb create-namespace destroy-namespace
start_daxd

region_available() { ndctl list -R -r region0 | json_find - -w dev=region0 available_size; }
before=$(region_available)
expect_rc 0 create-namespace -r region0 -s 512M -m fsdax -n d-del
pmem=$(ndctl_ns d-del blockdev) || fail "ndctl does not list d-del with a blockdev"
# The kernel does not zero a new namespace: capacity an earlier scenario formatted can show its
# old ext4 superblock again (and destroy would rightly want --force). Start from zeros.
dd if=/dev/zero of="/dev/$pmem" bs=1M count=2 2> /dev/null || fail "cannot zero /dev/$pmem"

expect_rc 0 destroy-namespace d-del --dry-run
stderr_has "would destroy 1 namespace"
ndctl_ns d-del mode > /dev/null || fail "--dry-run destroyed d-del"

expect_rc 0 destroy-namespace d-del
stderr_has "destroyed 1 namespace"
ndctl_ns d-del mode && fail "ndctl still lists d-del"
[ "$(region_available)" = "$before" ] || fail "region0 has $(region_available) bytes free, had $before"

expect_rc 1 destroy-namespace d-del
