#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs every VM scenario inside the guest, each from a clean bus, and records per scenario:
#   $R/<name>.log  (its output)   $R/<name>.rc  (0 pass, 77 skipped, anything else failed)
# Scenarios: each GoogleTest of /usr/bin/conformance_test (name "conformance.<Suite>.<Test>",
# run against the linux host) and each /scenarios/NN-<name>.sh (name "<name>"; it may write
# extra files into $R for host-side checks). $R/init-labels.log and $R/init-labels.rc cover label setup.
R=${1:-/results}
export R
up() { cut -d' ' -f1 /proc/uptime; }
mark() { echo "@@ $* uptime=$(up)"; }

# Back to an empty labelled bus: no mounts under /mnt, no dm devices, no namespaces.
reset_state() {
  for m in $(awk '$2 ~ "^/mnt/" { print $2 }' /proc/mounts | sort -r); do umount "$m"; done
  dmsetup remove_all 2>/dev/null
  ndctl destroy-namespace all -f >/dev/null 2>&1
  return 0
}

# selected NAME [FILE_NAME]: DAXD_VM_ONLY is empty or one of its comma-separated shell patterns
# matches NAME or FILE_NAME ("NN-name").
selected() {
  [ -z "$DAXD_VM_ONLY" ] && return 0
  set -f                      # the patterns must not glob against files here
  found=1
  for pat in $(echo "$DAXD_VM_ONLY" | tr ',' ' '); do
    # shellcheck disable=SC2254  # the pattern is meant to match
    case $1 in $pat) found=0;; esac
    # shellcheck disable=SC2254
    [ -n "$2" ] && case $2 in $pat) found=0;; esac
  done
  set +f
  return $found
}

# in_shard: whether this guest runs the next runnable scenario (DAXD_VM_SHARD=K/N: every Nth,
# from the Kth; empty: all). Skips are recorded by every guest alike, so they are not counted.
RUNNABLE=0
in_shard() {
  [ -z "$DAXD_VM_SHARD" ] && return 0
  RUNNABLE=$((RUNNABLE + 1))
  [ $(( (RUNNABLE - 1) % ${DAXD_VM_SHARD#*/} + 1 )) -eq "${DAXD_VM_SHARD%/*}" ]
}

# run_scenario NAME CMD...: run it with a deadline, record output and status.
run_scenario() {
  name=$1; shift
  if ! selected "$name" "$FILE_NAME"; then
    echo "SKIP: not selected (DAXD_VM_ONLY=$DAXD_VM_ONLY)" > "$R/$name.log"
    echo 77 > "$R/$name.rc"
    return 0
  fi
  # The default tier runs a sample of each crash matrix (CI's time budget); DAXD_VM_FULL=1, or
  # naming the scenario in DAXD_VM_ONLY, runs the rest.
  if [ -z "$DAXD_VM_ONLY" ] && [ "$DAXD_VM_FULL" != 1 ] && [ -n "$FILE_NAME" ] &&
     grep -q '^# vm-tier: full$' "/scenarios/$FILE_NAME.sh"; then
    echo "SKIP: full crash matrix only (DAXD_VM_FULL=1 runs it)" > "$R/$name.log"
    echo 77 > "$R/$name.rc"
    return 0
  fi
  in_shard || return 0
  reset_state
  t0=$(up)
  timeout 240 "$@" > "$R/$name.log" 2>&1
  rc=$?
  echo "$rc" > "$R/$name.rc"
  mark "SCENARIO $name rc=$rc took=$(awk -v a="$t0" -v b="$(up)" 'BEGIN { printf "%.1f", b - a }')s"
}

# Fresh backing files mean zeroed label areas (label-less mode): write labels first.
{
  ndctl disable-region all && ndctl init-labels all && ndctl enable-region all && ndctl list -RNDu
} > "$R/init-labels.log" 2>&1
echo $? > "$R/init-labels.rc"
mark "LABELS rc=$(cat "$R/init-labels.rc")"

# The non-DAX block device the scenarios use (the sim fixture's loop0 has the same 64 MiB).
truncate -s 64M /tmp/loop0.img && /usr/sbin/losetup /dev/loop0 /tmp/loop0.img ||
  echo "@@ LOOP0 setup failed"

if [ -x /usr/bin/conformance_test ]; then
  for t in $(/usr/bin/conformance_test --gtest_list_tests |
             awk '/^[^ ]/ { suite = $1; next } { print suite $1 }'); do
    FILE_NAME=""
    run_scenario "conformance.$t" sh -c \
      'DAXD_CONFORMANCE_HOST=linux /usr/bin/conformance_test --gtest_filter="$1" --gtest_color=no; rc=$?
       if [ $rc = 0 ] && grep -q "^\[  SKIPPED \]" "$R/conformance.$1.log"; then exit 77; fi; exit $rc' \
      conformance "$t"
  done
fi
for s in /scenarios/*.sh; do
  [ -e "$s" ] || continue
  FILE_NAME=$(basename "$s" .sh); n=${FILE_NAME#[0-9][0-9]-}
  run_scenario "$n" sh "$s"
done
reset_state
