#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Bench (guest): the stop-the-world window of set-dax. A volume (POST /v1/volumes) on a 512 MiB
# fsdax namespace, ext4, dax=always; PATCH /v1/volumes/NAME {"dax":"never"} then {"dax":"always"}
# with ?wait=, REPS times; each operation's stopped_ms (quiesce to mount, state/journal.h
# record_times) from GET /v1/operations/ID. The floor: `umount; mount -o dax=MODE` of the same
# filesystem by hand, timed the same way (no daxd step between). Prints BENCH set-dax lines.
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
REPS=${BENCH_SET_DAX_REPS:-5}
need_daxd
need_programs
make_fsdax v-bench region1 512M
start_daxd
need_api POST /v1/volumes

expect_status 201 POST "/v1/volumes?wait=$VOLUME_WAIT" \
  '{"name":"bench","namespaces":["v-bench"],"filesystem":"ext4","mountpoint":"/mnt/bench","dax":"always"}'
dd if=/dev/urandom of=/mnt/bench/data bs=1M count=8 2> /dev/null && sync
dev=$(awk '$2 == "/mnt/bench" { print $1 }' /proc/mounts)
[ -n "$dev" ] || fail "/mnt/bench is not mounted after the create"

# now_us: wall clock in microseconds (busybox date +%N when it has it, else /proc/uptime).
if date +%N | grep -q '^[0-9]\{9\}$'; then
  now_us() { echo $(( $(date +%s%N) / 1000 )); }
  CLOCK="date +%s%N"
else
  now_us() { awk '{ printf "%d\n", $1 * 1000000 }' /proc/uptime; }
  CLOCK="/proc/uptime (10 ms)"
fi

# set_dax MODE: PATCH ... ?wait, then the operation's stopped_ms (0 when the journal omits it:
# below 1 ms); the whole request's wall time in $WALL_MS.
set_dax() {
  t0=$(now_us)
  expect_status 200 PATCH "/v1/volumes/bench?wait=$VOLUME_WAIT" "{\"dax\":\"$1\"}"
  WALL_MS=$(( ($(now_us) - t0) / 1000 ))
  [ "$(json_find "$OUT" changed)" = true ] || fail "set-dax $1 did not change"
  id=$(json_find "$OUT" /operation/id) || fail "no operation id"
  expect_status 200 GET "/v1/operations/$id"
  [ "$(json_find "$OUT" state)" = completed ] || fail "operation $id not completed"
  STOPPED_MS=$(json_find "$OUT" stopped_ms 2> /dev/null || echo 0)
  [ "$(mount_dax /mnt/bench)" = "$1" ] || fail "/mnt/bench is dax=$(mount_dax /mnt/bench), not $1"
}

daxd_never="" daxd_always="" wall_never="" wall_always=""
for i in $(seq "$REPS"); do
  set_dax never; daxd_never="$daxd_never $STOPPED_MS"; wall_never="$wall_never $WALL_MS"
  set_dax always; daxd_always="$daxd_always $STOPPED_MS"; wall_always="$wall_always $WALL_MS"
done
stop_daxd   # the floor runs with no daxd watching the mount

# remount MODE: umount and mount -o dax=MODE, in microseconds.
remount() {
  t0=$(now_us)
  umount /mnt/bench || fail "umount /mnt/bench"
  mount -t ext4 -o "dax=$1" "$dev" /mnt/bench || fail "mount -o dax=$1 $dev"
  echo $(( $(now_us) - t0 ))
}
floor_never="" floor_always=""
for i in $(seq "$REPS"); do
  floor_never="$floor_never $(remount never)"
  floor_always="$floor_always $(remount always)"
done
[ "$(mount_dax /mnt/bench)" = always ] || fail "the floor left /mnt/bench dax=$(mount_dax /mnt/bench)"

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# shellcheck disable=SC2086  # lists of numbers
{
  echo "BENCH set-dax clock=$CLOCK reps=$REPS volume=512MiB ext4 on fsdax (region1), no consumers"
  echo "BENCH set-dax daxd stopped_ms never:$daxd_never | always:$daxd_always"
  echo "BENCH set-dax daxd PATCH?wait wall_ms never:$wall_never | always:$wall_always"
  echo "BENCH set-dax floor umount+mount us never:$floor_never | always:$floor_always"
  dn=$(median $daxd_never) da=$(median $daxd_always)
  fn=$(median $floor_never) fa=$(median $floor_always)
  wn=$(median $wall_never) wa=$(median $wall_always)
  echo "BENCH set-dax medians: to never daxd ${dn} ms (PATCH ${wn} ms) vs floor $(awk -v f="$fn" 'BEGIN { printf "%.1f", f / 1000 }') ms," \
    "ratio $(awk -v d="$dn" -v f="$fn" 'BEGIN { if (f == 0) print "n/a"; else printf "%.2f", d * 1000 / f }')x;" \
    "to always daxd ${da} ms (PATCH ${wa} ms) vs floor $(awk -v f="$fa" 'BEGIN { printf "%.1f", f / 1000 }') ms," \
    "ratio $(awk -v d="$da" -v f="$fa" 'BEGIN { if (f == 0) print "n/a"; else printf "%.2f", d * 1000 / f }')x"
} | tee "$R/bench-set-dax.txt"   # not .log: run-scenarios.sh writes that one
exit 0
