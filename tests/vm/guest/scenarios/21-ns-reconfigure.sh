#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# daxadm reconfigure-namespace devdax -> fsdax on the real kernel keeps the label name; the same
# mode again changes nothing. Writes ns-reconfigure.json (daxadm's stdout) and
# ns-reconfigure-ndctl.json (`ndctl list -N`) for the host-side field-by-field check.
# shellcheck source=/dev/null  # tests/vm/guest/scenario-lib.sh, installed as /scenario-lib.sh
. /scenario-lib.sh
need_daxd
need_verb create-namespace reconfigure-namespace
start_daxd

expect_rc 0 create-namespace -r region0 -s 256M -m devdax -n d-rec
[ "$(ndctl_ns d-rec mode)" = devdax ] || fail "ndctl does not show d-rec as devdax"

expect_rc 0 reconfigure-namespace d-rec -m fsdax --dry-run
stderr_has "would reconfigure 1 namespace"
[ "$(ndctl_ns d-rec mode)" = devdax ] || fail "--dry-run changed d-rec"

expect_rc 0 reconfigure-namespace d-rec -m fsdax
stderr_has "reconfigured 1 namespace"
cp "$OUT" "$R/ns-reconfigure.json"
ndctl list -N > "$R/ns-reconfigure-ndctl.json"
[ "$(ndctl_ns d-rec mode)" = fsdax ] || fail "ndctl does not show d-rec as fsdax after reconfigure"
ndctl_ns d-rec blockdev > /dev/null || fail "fsdax d-rec has no blockdev"
[ "$(json_find "$R/ns-reconfigure-ndctl.json" -w name -c)" = 1 ] ||
  fail "reconfigure left other than one namespace"

# The same mode again: the operation completes and says nothing changed.
expect_rc 0 reconfigure-namespace d-rec -m fsdax
[ "$(ndctl_ns d-rec mode)" = fsdax ] || fail "a no-op reconfigure changed d-rec"
