#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the guest initramfs: a cached base layer (busybox, system tools, kernel modules) plus a
# small top layer (our binaries, /init, the scenario scripts), concatenated as the kernel allows.
#
# Usage: build-initramfs.sh -k KERNEL_DIR -w WORK_DIR -o OUT [BINARY...]
#   KERNEL_DIR  a fetch-kernel.sh cache entry (has kernel.env)
#   WORK_DIR    where the base layer is cached (base-<key>.cpio.gz); the top layer is staged next to OUT
#   BINARY      host-built programs copied to /usr/bin with their ldd closure (debug info stripped)
# Env: DAXD_VM_SCENARIOS  directory whose *.sh become the guest's /scenarios (default
#      guest/scenarios; bench/run.sh points it at bench/vm/scenarios)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
KDIR="" WORK="" OUT=""
while getopts "k:w:o:" o; do case $o in
  k) KDIR=$OPTARG;; w) WORK=$OPTARG;; o) OUT=$OPTARG;; *) exit 2;; esac; done
shift $((OPTIND - 1))
[ -n "$KDIR" ] && [ -n "$WORK" ] && [ -n "$OUT" ] || { echo "usage: $0 -k KDIR -w WORK -o OUT [BIN...]" >&2; exit 2; }
# shellcheck source=/dev/null
. "$KDIR/kernel.env"                      # KV, KERNEL, ROOT
mkdir -p "$WORK"

# Tools the scenarios cross-check against; util-linux fsfreeze/losetup are called by full path
# because busybox ash prefers its own applets of the same name.
TOOLS="/usr/bin/ndctl /usr/bin/daxctl /usr/sbin/dmsetup /usr/sbin/mkfs.ext4 /usr/sbin/mke2fs
       /usr/sbin/mkfs.xfs /usr/sbin/xfs_io /usr/sbin/blkid /usr/sbin/fsfreeze /usr/sbin/losetup
       /usr/sbin/dumpe2fs"
MODULES="nfit nd_pmem nd_btt dax_pmem device_dax dm-mod dm-snapshot dm-bufio ext4 xfs loop
         crc32c_generic libcrc32c virtio_pci 9pnet_virtio 9p"

# copy_with_libs STAGE SRC DEST_DIR: the program and every shared object ldd resolves for it
# (except those the base layer already has, listed in $SKIP_LIST).
SKIP_LIST=/dev/null
copy_with_libs() {
  local stage=$1 src=$2 dst=$3 lib
  mkdir -p "$stage$dst"
  strip --strip-debug -o "$stage$dst/$(basename "$src")" "$src" 2>/dev/null || cp -L "$src" "$stage$dst/"
  for lib in $(ldd "$src" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}'); do
    [ -e "$stage$lib" ] || grep -qxF ".$lib" "$SKIP_LIST" || { mkdir -p "$stage$(dirname "$lib")"; cp -L "$lib" "$stage$lib"; }
  done
}
pack() { ( cd "$1" && find . -print0 | cpio --null -o -H newc --quiet ) | gzip -1; }

# ---- base layer, cached by kernel, tool list and installed-package state ----
key=$(printf '%s\n' "$KV" "$TOOLS" "$MODULES" "$(stat -c %Y /var/lib/dpkg/status)" \
      "$(sha1sum "$0" | cut -c1-40)" | sha1sum | cut -c1-16)
base=$WORK/base-$key.cpio.gz
if [ ! -f "$base" ]; then
  rm -f "$WORK"/base-*.cpio.gz "$WORK"/base-*.cpio.gz.files     # stale keys
  stage=$WORK/base-stage; rm -rf "$stage"
  mkdir -p "$stage"/{bin,sbin,etc,proc,sys,dev,run,tmp,mnt,root,results,usr/bin,usr/sbin}
  cp /bin/busybox "$stage/bin/busybox"
  for a in $(/bin/busybox --list); do [ -e "$stage/bin/$a" ] || ln -s busybox "$stage/bin/$a"; done
  for t in $TOOLS; do copy_with_libs "$stage" "$t" "$(dirname "$t")"; done
  cp /etc/mke2fs.conf "$stage/etc/"
  mkdir -p "$stage/etc/ndctl.conf.d"; cp /etc/ndctl.conf.d/*.conf "$stage/etc/ndctl.conf.d/" 2>/dev/null || true
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$stage/etc/passwd"; printf 'root:x:0:\n' > "$stage/etc/group"
  # Module closure with original paths, an index for libkmod (ndctl links it) and the load order.
  mods=$(for m in $MODULES; do modprobe -C /dev/null -d "$ROOT" -S "$KV" --show-depends "$m"; done |
         awk '$1 == "insmod" && !seen[$2]++ { print $2 }')
  for ko in $mods; do rel=${ko#"$ROOT"}; mkdir -p "$stage$(dirname "$rel")"; cp "$ko" "$stage$rel"; done
  cp "$ROOT/lib/modules/$KV"/modules.{order,builtin,builtin.modinfo} "$stage/lib/modules/$KV/"
  depmod -b "$stage" "$KV"
  for ko in $mods; do echo "${ko#"$ROOT"}"; done > "$stage/etc/modules.insmod-order"
  ( cd "$stage" && find . ) > "$base.files"
  pack "$stage" > "$base.tmp"; mv "$base.tmp" "$base"; rm -rf "$stage"
fi

# ---- top layer: rebuilt every time (a second or less) ----
SKIP_LIST=$base.files
top=$OUT.top-stage      # next to OUT: parallel runs may share WORK
rm -rf "$top"; mkdir -p "$top/usr/bin" "$top/scenarios"
for b in "$@"; do copy_with_libs "$top" "$b" /usr/bin; done   # run-vm.sh checked they exist
install -m 0755 "$HERE/guest/init" "$top/init"
install -m 0755 "$HERE/guest/run-scenarios.sh" "$top/run-scenarios.sh"
install -m 0755 "${DAXD_VM_SCENARIOS:-$HERE/guest/scenarios}"/*.sh "$top/scenarios/"
install -m 0644 "$HERE"/guest/*-lib.sh "$top/"     # scenario-lib.sh, volume-lib.sh, snapshot-lib.sh
pack "$top" > "$OUT.top"
cat "$base" "$OUT.top" > "$OUT.tmp"; mv "$OUT.tmp" "$OUT"; rm -rf "$top" "$OUT.top"
echo "initramfs: $OUT ($(stat -c %s "$OUT") bytes; base $(basename "$base"))" >&2
