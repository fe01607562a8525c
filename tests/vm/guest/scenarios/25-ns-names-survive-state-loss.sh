#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Namespace names live in the labels, not in daxd's state: create with daxd, stop it, delete its
# state directory, start it again; daxadm still lists and addresses the namespaces by name.
# shellcheck source=/dev/null  # tests/vm/guest/scenario-lib.sh, installed as /scenario-lib.sh
. /scenario-lib.sh
need_daxd
need_verb create-namespace destroy-namespace
start_daxd
expect_rc 0 create-namespace -r region1 -s 256M -m fsdax -n d-keep
expect_rc 0 create-namespace -r region0 -s 256M -m devdax -n d-keep2
stop_daxd
rm -rf "$STATE"
start_daxd

expect_rc 0 list -N
[ "$(json_find "$OUT" -w name=d-keep mode)" = fsdax ] || fail "daxadm list -N lost d-keep"
[ "$(json_find "$OUT" -w name=d-keep2 mode)" = devdax ] || fail "daxadm list -N lost d-keep2"
expect_rc 0 destroy-namespace d-keep2
ndctl_ns d-keep2 mode && fail "ndctl still lists d-keep2"
[ "$(ndctl_ns d-keep mode)" = fsdax ] || fail "ndctl lost d-keep"
