#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Bench (guest): the stop-the-world windows of snapshots on the real kernel.
#  - copy snapshots of a 256 MiB and a 768 MiB volume (ext4, dax=always, 64 MiB of data): the
#    operation's stopped_ms (quiesce to thaw) and frozen_ms (FIFREEZE to FITHAW); the copy's
#    bandwidth (volume bytes / frozen time: a floor, the freeze and thaw are in it) against a
#    plain memcpy of 256 MiB in the same guest (bench_memcpy_rate).
#  - a cow snapshot of the 256 MiB volume: stopped_ms, and the stop again when it is destroyed
#    (DAX comes back); the floor is what `lvcreate -s` does to a non-DAX volume of the same size:
#    dmsetup suspend, the -real/-cow/snapshot devices, reload with snapshot-origin, resume, timed
#    from suspend to resume over a sector-mode (BTT, never DAX) namespace.
# Prints BENCH snapshot lines into $R/bench-snapshots.txt.
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
REPS=${BENCH_SNAPSHOT_REPS:-3}
need_daxd
need_programs
command -v bench_memcpy_rate > /dev/null || skip "bench_memcpy_rate is not in the guest"

if date +%N | grep -q '^[0-9]\{9\}$'; then
  now_us() { echo $(( $(date +%s%N) / 1000 )); }
else
  now_us() { awk '{ printf "%d\n", $1 * 1000000 }' /proc/uptime; }
fi
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
TXT=$R/bench-snapshots.txt
: > "$TXT"

# op_times: stopped_ms and frozen_ms of the operation in the last answer ("-" when absent).
op_times() {
  id=$(json_find "$OUT" /operation/id) || fail "no operation id in the answer"
  expect_status 200 GET "/v1/operations/$id"
  [ "$(json_find "$OUT" state)" = completed ] || fail "operation $id did not complete"
  STOPPED=$(json_find "$OUT" stopped_ms 2> /dev/null || echo -)
  FROZEN=$(json_find "$OUT" frozen_ms 2> /dev/null || echo -)
}

# volume SIZE: volume "b" on a fresh fsdax namespace in region1 with 64 MiB of data, and a
# store namespace of the same size in region0.
volume() {
  make_fsdax "o$1" region1 "$1"
  make_fsdax "s$1" region0 "$1"
  expect_status 201 POST "/v1/volumes?wait=$VOLUME_WAIT" \
    "{\"name\":\"b\",\"namespaces\":[\"o$1\"],\"filesystem\":\"ext4\",\"mountpoint\":\"/mnt/b\",\"dax\":\"always\"}"
  BYTES=$(json_find "$OUT" /volume/size 2> /dev/null || volume_json b size)
  dd if=/dev/urandom of=/mnt/b/data bs=1M count=64 2> /dev/null && sync
}

drop_volume() {
  expect_status 200 DELETE "/v1/volumes/b?wait=$VOLUME_WAIT"
  ndctl destroy-namespace -f "$(ndctl_ns "o$1" dev)" > /dev/null
  ndctl destroy-namespace -f "$(ndctl_ns "s$1" dev)" > /dev/null
}

start_daxd
need_api POST /v1/volumes/none/snapshots
for size in 256M 768M; do
  volume $size
  stopped="" frozen="" rate=""
  for i in $(seq "$REPS"); do
    expect_status 201 POST "/v1/volumes/b/snapshots?wait=$VOLUME_WAIT" \
      "{\"name\":\"c$i\",\"method\":\"copy\",\"namespaces\":[\"s$size\"]}"
    op_times
    stopped="$stopped $STOPPED" frozen="$frozen $FROZEN"
    rate="$rate $(awk -v b="$BYTES" -v f="$FROZEN" 'BEGIN { if (f > 0) printf "%.0f", b / 1048576 * 1000 / f; else print "-" }')"
    expect_status 200 DELETE "/v1/volumes/b/snapshots/c$i?wait=$VOLUME_WAIT"
  done
  # shellcheck disable=SC2086  # lists of numbers
  echo "BENCH snapshot copy size=$size bytes=$BYTES stopped_ms:$stopped frozen_ms:$frozen copy_mib_s(bytes/frozen):$rate median_mib_s=$(median $rate)" | tee -a "$TXT"
  if [ $size = 256M ]; then
    ndctl destroy-namespace -f "$(ndctl_ns "s$size" dev)" > /dev/null
    make_fsdax cow256 region0 64M
    cow_stop="" back_stop=""
    for i in $(seq "$REPS"); do
      expect_status 201 POST "/v1/volumes/b/snapshots?wait=$VOLUME_WAIT" \
        "{\"name\":\"w$i\",\"method\":\"cow\",\"namespaces\":[\"cow256\"]}"
      op_times
      cow_stop="$cow_stop $STOPPED"
      expect_status 200 DELETE "/v1/volumes/b/snapshots/w$i?wait=$VOLUME_WAIT"
      op_times
      back_stop="$back_stop $STOPPED"
      [ "$(mount_dax /mnt/b)" = always ] || fail "DAX did not come back after w$i"
    done
    # shellcheck disable=SC2086
    echo "BENCH snapshot cow size=$size create stopped_ms:$cow_stop median=$(median $cow_stop) | destroy-last (DAX back) stopped_ms:$back_stop median=$(median $back_stop)" | tee -a "$TXT"
    expect_status 200 DELETE "/v1/volumes/b?wait=$VOLUME_WAIT"
    ndctl destroy-namespace -f "$(ndctl_ns "o$size" dev)" > /dev/null
    ndctl destroy-namespace -f "$(ndctl_ns cow256 dev)" > /dev/null
  else
    drop_volume $size
  fi
done
stop_daxd

# The floor: lvcreate -s of a non-DAX volume, by hand with dmsetup over sector-mode namespaces.
ndctl create-namespace -m sector -r region1 -s 256M -n floor-o > /tmp/floor-o.json || fail "sector namespace"
ndctl create-namespace -m sector -r region0 -s 64M -n floor-c > /tmp/floor-c.json || fail "sector namespace"
odev=/dev/$(json_find /tmp/floor-o.json blockdev) cdev=/dev/$(json_find /tmp/floor-c.json blockdev)
osec=$(blockdev --getsz "$odev") csec=$(blockdev --getsz "$cdev")
floor=""
for i in $(seq "$REPS"); do
  dmsetup create floor --table "0 $osec linear $odev 0" || fail "dmsetup create floor"
  mkfs.ext4 -q -F -b 4096 /dev/mapper/floor > /dev/null 2>&1 || fail "mkfs floor"
  mkdir -p /mnt/floor && mount /dev/mapper/floor /mnt/floor || fail "mount floor"
  dd if=/dev/urandom of=/mnt/floor/data bs=1M count=64 2> /dev/null && sync
  dd if=/dev/zero of="$cdev" bs=1M count=1 2> /dev/null
  t0=$(now_us)
  dmsetup suspend floor || fail "suspend floor"
  dmsetup create floor-real --table "0 $osec linear $odev 0" || fail "floor-real"
  dmsetup create floor-cow --table "0 $csec linear $cdev 0" || fail "floor-cow"
  dmsetup create floor-snap --table "0 $osec snapshot /dev/mapper/floor-real /dev/mapper/floor-cow P 8" || fail "floor-snap"
  dmsetup reload floor --table "0 $osec snapshot-origin /dev/mapper/floor-real" || fail "reload floor"
  dmsetup resume floor || fail "resume floor"
  floor="$floor $(( ($(now_us) - t0) / 1000 ))"
  umount /mnt/floor
  dmsetup remove floor-snap && dmsetup remove floor && dmsetup remove floor-cow && dmsetup remove floor-real
done
# shellcheck disable=SC2086
echo "BENCH snapshot floor lvcreate-s-style (non-DAX, 256M, suspend to resume) ms:$floor median=$(median $floor)" | tee -a "$TXT"
echo "BENCH snapshot memcpy $(bench_memcpy_rate 256 3)" | tee -a "$TXT"
exit 0
