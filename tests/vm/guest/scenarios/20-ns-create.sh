#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# daxadm create-namespace of each mode on the real kernel: ndctl must see what daxadm printed.
# Writes for the host-side field-by-field checks (tests/vm/crosscheck_test.cpp):
#   ns-create-{fsdax,devdax,sector}.json   daxadm create-namespace's stdout
#   ns-create-ndctl.json, ns-create-daxadm-list.json   `ndctl list -N` and `daxadm list -N`
#   ns-create-ref-{fsdax,devdax,sector}.json   what `ndctl create-namespace` prints (the shape)
# shellcheck source=/dev/null  # tests/vm/guest/scenario-lib.sh, installed as /scenario-lib.sh
. /scenario-lib.sh
need_daxd
need_verb create-namespace
start_daxd

expect_rc 0 create-namespace -r region0 -s 256M -m fsdax -n d-plan --dry-run
stderr_has "would create 1 namespace"
ndctl_ns d-plan mode && fail "--dry-run created namespace d-plan"

expect_rc 0 create-namespace -r region0 -s 512M -m fsdax -n d-fsdax
stderr_has "created 1 namespace"
cp "$OUT" "$R/ns-create-fsdax.json"
expect_rc 0 create-namespace -r region0 -s 256M -m devdax -n d-devdax
cp "$OUT" "$R/ns-create-devdax.json"
expect_rc 0 create-namespace -r region1 -s 256M -m sector -n d-sector
cp "$OUT" "$R/ns-create-sector.json"

for m in fsdax devdax sector; do
  got=$(ndctl_ns "d-$m" mode) || fail "ndctl does not list a namespace named d-$m"
  [ "$got" = "$m" ] || fail "ndctl shows d-$m in mode $got"
done

# Idempotent by name (CSI): the same spec again changes nothing, another spec is refused.
expect_rc 0 create-namespace -r region1 -s 256M -m sector -n d-sector
stderr_has "already exists, unchanged"
[ "$(json_find "$OUT" -w name=d-sector dev)" = "$(ndctl_ns d-sector dev)" ] ||
  fail "the repeated create did not print the existing namespace"
expect_rc 1 create-namespace -r region1 -s 256M -m fsdax -n d-sector
[ "$(ndctl_ns d-sector mode)" = sector ] || fail "a refused create changed d-sector"

ndctl list -N > "$R/ns-create-ndctl.json"
daxadm --socket "$SOCK" list -N > "$R/ns-create-daxadm-list.json" || fail "daxadm list -N failed"
[ "$(json_find "$R/ns-create-ndctl.json" -w name -c)" = 3 ] || fail "ndctl lists other than 3 namespaces"

# The shape daxadm's output should have: ndctl create-namespace's own, same modes.
for m in fsdax devdax sector; do
  ndctl create-namespace -r region1 -s 256M -m $m -n "ref-$m" > "$R/ns-create-ref-$m.json" ||
    fail "ndctl create-namespace -m $m failed"
done
