#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Issue 8, a dm call failing on the real kernel in the middle of an operation: another process
# claims the cow store's pmem device (O_EXCL, as mount and dm do), so the first cow snapshot of
# volume sv gets past quiesce, unmount, remove-dax-dm and create-real, and then the kernel
# refuses the COW device (EBUSY). The operation must roll back: no snapshot stack left, daxd-sv
# DAX-capable again and mounted dax=always with its data, nothing frozen or suspended. Once the
# claim goes, the same request succeeds.
# shellcheck source=/dev/null  # tests/vm/guest/*-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
. /snapshot-lib.sh
snap_setup
need_api POST /v1/volumes/sv/snapshots

store=/dev/$(ndctl_ns st-cow blockdev)
FD_HOLDER_EXCL=1 fd_holder "$store" /tmp/excl.pid > /tmp/excl.log 2>&1 &
HOLDER=$!
HOLDERS="$HOLDERS $HOLDER"
i=0
while [ ! -s /tmp/excl.pid ] && [ $i -lt 50 ] && alive $HOLDER; do sleep 0.1; i=$((i + 1)); done
cat /tmp/excl.log
[ -s /tmp/excl.pid ] || fail "fd_holder could not claim $store"

expect_rc 1 create-snapshot sv w1 -m cow --namespace st-cow
cat "$ERR"
api GET /v1/operations > /dev/null
state=$(json_find "$OUT" -w type=create-snapshot state | head -n 1)
echo "create-snapshot with the store claimed: $state" | tee "$R/$SCENARIO.txt"
[ "$state" = rolled_back ] || fail "the failed cow snapshot ended '$state', not rolled_back"
grep -i "busy" "$DAXD_LOG" | tail -n 3
[ -z "$(stack_devices)" ] || fail "snapshot devices left after the rollback: $(stack_devices)"
dm_table sv | grep -q " linear $(ns_devno v-sv) 0\$" || fail "daxd-sv lost its table: $(dm_table sv)"
expect_world_running
expect_dax yes
expect_sums "$SV_MNT" /tmp/sums-one "the origin after the rolled-back snapshot"
snap_json w1 name > /dev/null && fail "w1 is listed after its creation failed"

stop_pid "$HOLDER"
expect_rc 0 create-snapshot sv w1 -m cow --namespace st-cow
expect_dax no
expect_rc 0 destroy-snapshot sv w1
expect_dax yes
exit 0
