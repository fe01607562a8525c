#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Boots the Debian kernel in QEMU (TCG) with two emulated 1 GiB NVDIMMs, runs the guest scenarios
# once and leaves their results in RUNDIR/results (a virtio-9p share the guest writes into).
#
# Usage: run-vm.sh -d RUNDIR [-t TIMEOUT_S] [-s] [BINARY...]
#   -d  run directory (wiped per run): results/ (merged), serial.log (all guests), timing.txt,
#       initramfs, shardK/ (guest K's nv*.img, serial.log and results/ share)
#   -t  wall-clock limit for QEMU (default 3000 s: TCG, some 90 scenarios take about 35 min)
#   -s  interactive busybox shell on the console instead of the scenarios (Ctrl-a x quits)
#   BINARY  host-built programs for the guest's /usr/bin (conformance_test, daxd, daxadm, ...)
# Env:   DAXD_VM_CACHE (kernel + initramfs base cache), DAXD_VM_QEMU (the qemu binary)
#        DAXD_VM_FULL=1: also the scenarios marked "# vm-tier: full" (the rest of the crash matrices)
#        DAXD_VM_ONLY: run only the scenarios matching one of these comma-separated shell patterns
#        (matched against "NN-name" and "name", e.g. "4*,5*" or "set-dax-*"); the others are
#        recorded as skipped ("not selected"), so ctest still reports every scenario
#        DAXD_VM_SHARDS: how many guests share the scenarios (default 2; 1 for measurements)
# Exit: 0 the VM ran the scenarios (each scenario's own verdict is in results/<name>.rc),
#       77 the VM cannot run here (reason in results/SKIPPED), other = the VM itself failed.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
RUN="" TMO=3000 SHELLMODE=0
while getopts "d:t:s" o; do case $o in
  d) RUN=$OPTARG;; t) TMO=$OPTARG;; s) SHELLMODE=1;; *) exit 2;; esac; done
shift $((OPTIND - 1))
[ -n "$RUN" ] || { echo "usage: $0 -d RUNDIR [-t TIMEOUT] [-s] [BINARY...]" >&2; exit 2; }

rm -rf "$RUN/results"; mkdir -p "$RUN/results"; RUN=$(cd "$RUN" && pwd)
skip() { echo "$*" | tee "$RUN/results/SKIPPED" >&2; exit 77; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
: > "$RUN/timing.txt"

[ "${DAXD_SKIP_VM:-0}" = 1 ] && skip "DAXD_SKIP_VM=1 was set: the real-kernel tier did not run"
QEMU=${DAXD_VM_QEMU:-qemu-system-x86_64}    # override to test the skip path
command -v "$QEMU" >/dev/null || skip "$QEMU not installed (packaging/install-deps.sh)"
for b in "$@"; do
  [ -x "$b" ] || { echo "run-vm.sh: $b is not built (./test.sh builds the vm-guest preset)" >&2; exit 1; }
done
t=$(now)
rc=0; kdir=$("$HERE/fetch-kernel.sh") || rc=$?
[ $rc = 77 ] && skip "no Debian kernel package reachable (see fetch-kernel.sh's message above)"
[ $rc = 0 ] || { echo "fetch-kernel.sh failed (exit $rc)" >&2; exit 1; }
echo "fetch-kernel $(elapsed "$t")s" >> "$RUN/timing.txt"
# shellcheck source=/dev/null
. "$kdir/kernel.env"                    # KV, KERNEL, ROOT

t=$(now)
"$HERE/build-initramfs.sh" -k "$kdir" -w "${DAXD_VM_CACHE:-$HOME/.cache/daxd-vm}/initramfs" \
  -o "$RUN/initramfs.cpio.gz" "$@"
echo "initramfs $(elapsed "$t")s" >> "$RUN/timing.txt"

# DAXD_VM_SHARDS guests (default 2) boot side by side, each with its own NVDIMMs, run every
# Nth runnable scenario (daxd_shard=K/N) and write into their own share; their results are then
# merged into RUN/results. A guest runs one scenario at a time and rarely keeps two host cores
# busy, so two guests take about half the wall time of one.
SHARDS=${DAXD_VM_SHARDS:-2}
case $SHARDS in [1-4]) ;; *) echo "DAXD_VM_SHARDS: 1 to 4" >&2; exit 2;; esac
[ $SHELLMODE = 1 ] && SHARDS=1
# Each vCPU is a host thread under TCG. More vCPUs than host cores make a guest's spinlocks spin
# on a descheduled holder, so guests side by side get one vCPU each.
SMP=$(( SHARDS > 1 ? 1 : 2 ))
append="console=ttyS0 panic=-1 loglevel=4"
[ $SHELLMODE = 1 ] && append="$append vmshell"
if [ -n "${DAXD_VM_ONLY:-}" ]; then
  case $DAXD_VM_ONLY in *[!A-Za-z0-9_.,*?-]*) echo "DAXD_VM_ONLY: only [A-Za-z0-9_.,*?-]" >&2; exit 2;; esac
  append="$append daxd_only=$DAXD_VM_ONLY"
fi
[ "${DAXD_VM_FULL:-0}" = 1 ] && append="$append daxd_full=1"

# Fresh sparse backing files each run = zeroed label areas. 1 GiB + 128 KiB: QEMU carves the
# label area off the end, leaving exactly 1 GiB of pmem whose start stays 16 MiB aligned.
NVSIZE=1073872896
trap 'rm -f "$RUN"/shard*/nv[12].img' EXIT

# qemu_cmd DIR K: the QEMU command line of shard K (its backing files and share in DIR).
qemu_cmd() {
  local dir=$1 k=$2 i
  rm -rf "$dir/results"; mkdir -p "$dir/results"
  for i in 1 2; do rm -f "$dir/nv$i.img"; truncate -s $NVSIZE "$dir/nv$i.img"; done
  # shellcheck disable=SC2054  # commas belong to qemu option values
  qemu=("$QEMU" -accel tcg,thread=multi -cpu max
    -machine pc,nvdimm=on -m 2G,slots=4,maxmem=16G -smp "$SMP"
    -object "memory-backend-file,id=mem1,share=on,mem-path=$dir/nv1.img,size=$NVSIZE"
    -device nvdimm,memdev=mem1,id=nv1,label-size=128K
    -object "memory-backend-file,id=mem2,share=on,mem-path=$dir/nv2.img,size=$NVSIZE"
    -device nvdimm,memdev=mem2,id=nv2,label-size=128K
    -virtfs "local,path=$dir/results,mount_tag=results,security_model=none,id=results"
    -kernel "$KERNEL" -initrd "$RUN/initramfs.cpio.gz" -append "$append daxd_shard=$k/$SHARDS"
    -nographic -no-reboot -nodefaults -serial mon:stdio)
}
if [ $SHELLMODE = 1 ]; then qemu_cmd "$RUN/shard1" 1; exec "${qemu[@]}"; fi

t=$(now)
echo "booting $KV ($(basename "$KERNEL")) in $SHARDS guest(s); serial logs: $RUN/shard*/serial.log" >&2
pids=()
for k in $(seq "$SHARDS"); do
  qemu_cmd "$RUN/shard$k" "$k"
  timeout "$TMO" "${qemu[@]}" < /dev/null > "$RUN/shard$k/serial.log" 2>&1 &
  pids+=($!)
done
rc=0 failed=""
for k in $(seq "$SHARDS"); do
  krc=0; wait "${pids[$((k - 1))]}" || krc=$?
  echo "vm shard $k/$SHARDS $(elapsed "$t")s qemu_rc=$krc" >> "$RUN/timing.txt"
  [ $krc = 0 ] || { rc=$krc; failed="$failed $k"; }
  grep -q '@@ SCENARIOS-DONE' "$RUN/shard$k/serial.log" || failed="$failed $k"
done
# One serial log (lines end in \r; @@ lines are markers) and one results folder. A result a later
# shard recorded never hides a failure an earlier one recorded under the same name (init-labels).
: > "$RUN/serial.log"
for k in $(seq "$SHARDS"); do
  echo "==== shard $k/$SHARDS" >> "$RUN/serial.log"; cat "$RUN/shard$k/serial.log" >> "$RUN/serial.log"
  for f in "$RUN/shard$k/results"/*; do
    [ -e "$f" ] || continue
    dst=$RUN/results/$(basename "$f")
    if [[ $f == *.rc && -f $dst ]] && ! grep -qx '0\|77' "$dst"; then continue; fi
    cp -r "$f" "$dst"
  done
done
tr -d '\r' < "$RUN/serial.log" | grep '^@@\|^====' >&2 || true
cat "$RUN/timing.txt" >&2
if [ $rc = 124 ]; then echo "qemu timed out after ${TMO}s" >&2; exit 1; fi
[ $rc = 0 ] || { echo "qemu failed (rc $rc); see $RUN/serial.log" >&2; exit 1; }
[ -z "$failed" ] || { echo "guest(s)$failed did not finish their scenarios" >&2; exit 1; }
