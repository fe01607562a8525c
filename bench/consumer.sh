#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Consumer scan: 1,000 and 5,000 children holding a file open or mapped on a tmpfs and on a
# loop-mounted ext4; daxd's in-process scan (BPF iterators, and the /proc fallback) against `fuser -vm` and `lsof` (needs root).
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

PROCS=${BENCH_PROCS:-1000,5000}
REPS=3 LSOF_REPS=2
[ "$QUICK" = 1 ] && { REPS=3; LSOF_REPS=1; }
dir=$BENCH_WORK/consumer
mkdir -p "$dir/tmpfs" "$dir/ext4"
old_pid_max=$(cat /proc/sys/kernel/pid_max)
cleanup() {
  umount "$dir/tmpfs" 2>/dev/null || true
  umount "$dir/ext4" 2>/dev/null || true    # a loop mount detaches its loop device
  rm -f "$dir/ext4.img"
  [ "$(cat /proc/sys/kernel/pid_max)" = "$old_pid_max" ] || echo "$old_pid_max" > /proc/sys/kernel/pid_max
}
trap cleanup EXIT

# Room for the children next to everything else running here.
most=$(echo "$PROCS" | tr ',' '\n' | sort -n | tail -1)
need=$(( $(ls /proc | grep -c '^[0-9]') + most + 4096 ))
[ "$old_pid_max" -ge "$need" ] || echo "$need" > /proc/sys/kernel/pid_max

mount -t tmpfs -o size=16M bench-tmpfs "$dir/tmpfs"
truncate -s 1M "$dir/tmpfs/held"
truncate -s 64M "$dir/ext4.img"
mkfs.ext4 -q -F "$dir/ext4.img"
mount -o loop "$dir/ext4.img" "$dir/ext4"
truncate -s 1M "$dir/ext4/held"

echo "== consumer scan: daxd (LinuxProcesses::find_consumers, in process: BPF and /proc) vs fuser -vm FILE and lsof MOUNTPOINT"
echo "   $(ls /proc | grep -c '^[0-9]') processes on the machine before the holders; half hold an fd, half a MAP_SHARED mapping"
for fs in tmpfs ext4; do
  "$BB/bench_consumer_scan" --file "$dir/$fs/held" --mount "$dir/$fs" --label "$fs" \
    --procs "$PROCS" --reps "$REPS" --lsof-reps "$LSOF_REPS"
done
