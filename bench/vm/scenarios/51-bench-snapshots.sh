#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Bench (guest): the stop-the-world windows of snapshots on the real kernel.
#  - copy snapshots of a 256 MiB and a 768 MiB volume (ext4, dax=always, 64 MiB of data): the
#    operation's stopped_ms (quiesce to thaw) and frozen_ms (FIFREEZE to FITHAW); the copy's
#    bandwidth (volume bytes / frozen time: a floor, the freeze and thaw are in it) as a ratio
#    against two baselines of the same size measured first in the same guest (bench_memcpy_rate):
#    a plain memcpy in DRAM, and a memcpy between two DAX mappings on the emulated pmem (files on
#    ext4 -o dax over whole-region fsdax namespaces, MAP_SYNC, every line written back: the
#    medium's own copy speed). The O_DIRECT read-only and write-only rates of those namespaces'
#    block devices (8 MiB a call, as daxd's copy) show which half of the copy costs.
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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b + 0 <= 0) print "n/a"; else printf "%.2f", a / b }'; }
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

# Baselines, before daxd's volumes: whole-region namespaces, so the volumes made later sit on
# memory the host has already handed to the guest's pmem (no first-touch in the copy's figure).
for mib in 256 768; do
  line=$(bench_memcpy_rate $mib "$REPS") || fail "bench_memcpy_rate $mib"
  eval "DRAM_$mib=$(echo "$line" | sed -n 's/^memcpy_mib_s=\([0-9]*\).*/\1/p')"
  echo "BENCH snapshot baseline dram size=${mib}M $line" | tee -a "$TXT"
done
ndctl create-namespace -m fsdax -r region1 -n base1 > /tmp/base1.json || fail "namespace base1"
ndctl create-namespace -m fsdax -r region0 -n base0 > /tmp/base0.json || fail "namespace base0"
bsrc=/dev/$(json_find /tmp/base1.json blockdev) bdst=/dev/$(json_find /tmp/base0.json blockdev)
wr=$(bench_memcpy_rate --direct - "$bdst" 256 8192 2) || fail "O_DIRECT write to $bdst"
rd=$(bench_memcpy_rate --direct "$bsrc" - 256 8192 2) || fail "O_DIRECT read of $bsrc"
echo "BENCH snapshot baseline O_DIRECT pmem block device, 256M: read-only $rd | write-only (+fdatasync) $wr" | tee -a "$TXT"
for d in "$bsrc" "$bdst"; do mkfs.ext4 -q -F -b 4096 "$d" > /dev/null 2>&1 || fail "mkfs $d"; done
mkdir -p /mnt/base1 /mnt/base0
mount -o dax "$bsrc" /mnt/base1 || fail "mount -o dax $bsrc"
mount -o dax "$bdst" /mnt/base0 || fail "mount -o dax $bdst"
bench_memcpy_rate --dax /mnt/base1/f /mnt/base0/f 256,768 "$REPS" > /tmp/dax.txt || fail "bench_memcpy_rate --dax: $(cat /tmp/dax.txt)"
for mib in 256 768; do
  line=$(grep " mib=$mib " /tmp/dax.txt)
  eval "PMEM_$mib=$(echo "$line" | sed -n 's/^dax_memcpy_mib_s=\([0-9]*\).*/\1/p')"
  echo "BENCH snapshot baseline pmem-to-pmem (DAX, MAP_SYNC) size=${mib}M $line" | tee -a "$TXT"
done
umount /mnt/base1 /mnt/base0
for j in /tmp/base1.json /tmp/base0.json; do
  ndctl destroy-namespace -f "$(json_find $j dev)" > /dev/null || fail "destroy $(json_find $j dev)"
done

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
  med=$(median $rate) mib=${size%M}
  dram=$(eval echo "\$DRAM_$mib") pmem=$(eval echo "\$PMEM_$mib")
  echo "BENCH snapshot copy size=$size bytes=$BYTES stopped_ms:$stopped frozen_ms:$frozen copy_mib_s(bytes/frozen):$rate median_mib_s=$med | /dram memcpy $dram MiB/s = $(ratio "$med" "$dram") | /pmem-to-pmem memcpy $pmem MiB/s = $(ratio "$med" "$pmem")" | tee -a "$TXT"
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
exit 0
