#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A namespace held open by a process: refused with the pid named; --policy terminate gets the
# holder killed and the change done. Both an fsdax block device and a devdax char device. daxd
# finds the holders with its BPF iterators.
# shellcheck source=/dev/null  # tests/vm/guest/scenario-lib.sh, installed as /scenario-lib.sh
. /scenario-lib.sh
need_daxd
need_verb create-namespace destroy-namespace reconfigure-namespace
start_daxd

gone() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status"; }

expect_rc 0 create-namespace -r region0 -s 256M -m fsdax -n d-hold
pmem=$(ndctl_ns d-hold blockdev) || fail "ndctl shows no blockdev for d-hold"
# shellcheck disable=SC2217  # sleep holds the device open: the point
sleep 1000 < "/dev/$pmem" &
holder=$!
HOLDERS="$HOLDERS $holder"
sleep 0.3
consumers_have d-hold pid="$holder"
expect_rc 1 destroy-namespace d-hold
stderr_has "pid $holder"
daxd_scans_with_bpf
expect_rc 1 reconfigure-namespace d-hold -m devdax
stderr_has "pid $holder"
ndctl_ns d-hold mode > /dev/null || fail "a refused destroy removed d-hold"
expect_rc 0 destroy-namespace d-hold --policy terminate
gone "$holder" || fail "holder $holder survived --policy terminate"
ndctl_ns d-hold mode && fail "ndctl still lists d-hold"

expect_rc 0 create-namespace -r region0 -s 256M -m devdax -n d-holdc
chardev=$(ndctl_ns d-holdc chardev) || fail "ndctl shows no chardev for d-holdc"
# shellcheck disable=SC2217
sleep 1000 < "/dev/$chardev" &
holder=$!
HOLDERS="$HOLDERS $holder"
sleep 0.3
expect_rc 1 reconfigure-namespace d-holdc -m fsdax
stderr_has "pid $holder"
[ "$(ndctl_ns d-holdc mode)" = devdax ] || fail "a refused reconfigure changed d-holdc"
expect_rc 0 reconfigure-namespace d-holdc -m fsdax --policy terminate
gone "$holder" || fail "holder $holder survived --policy terminate"
[ "$(ndctl_ns d-holdc mode)" = fsdax ] || fail "d-holdc is not fsdax after reconfigure"
