#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fetches (never installs) the Debian kernel that linux-image-amd64 points at into a cache dir.
#
# Usage: fetch-kernel.sh            prints the cache dir of the current kernel on stdout
# Env:   DAXD_VM_CACHE              cache root (default ~/.cache/daxd-vm)
#        DAXD_VM_OFFLINE=1          do not ask apt; use the newest cached kernel
# Cache layout, keyed by "<abi>_<package version>" (e.g. 6.1.0-56-amd64_6.1.192-2):
#   root/boot/vmlinuz-<abi>  root/lib/modules/<abi>/ (with modules.dep)  vmlinux (if extractable)
#   kernel.env               KV=, KERNEL= (the image to boot), ROOT= ; written last = complete
# and $CACHE/current names the entry last resolved; it is reused without asking apt (~1 s per
# apt-cache call here) until apt's package lists change.
# Exit codes: 0 ok, 77 no kernel reachable (the caller reports SKIPPED), other = a real error.
set -euo pipefail

CACHE=${DAXD_VM_CACHE:-$HOME/.cache/daxd-vm}
mkdir -p "$CACHE"
log() { echo "fetch-kernel: $*" >&2; }

# The newest complete cache entry, for offline use.
newest_cached() { { ls -1d "$CACHE"/*/kernel.env 2>/dev/null || true; } | sort -V | tail -n1 | xargs -r dirname; }

# The versioned image package that the linux-image-amd64 meta package depends on.
current_abi() {
  apt-cache depends linux-image-amd64 2>/dev/null |
    awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { sub("linux-image-", "", $2); print $2; exit }'
}

# Fast path: the last resolution still holds while apt's package lists have not changed.
if [ -f "$CACHE/current" ] && [ -f "$(cat "$CACHE/current")/kernel.env" ] &&
   [ -z "$(find /var/lib/apt/lists -maxdepth 1 -newer "$CACHE/current" -name '*Packages*' 2>/dev/null)" ]; then
  cat "$CACHE/current"; exit 0
fi

abi=""
if [ "${DAXD_VM_OFFLINE:-0}" != 1 ]; then
  abi=$(current_abi || true)
  if [ -z "$abi" ]; then          # empty package lists: refresh once (needs root)
    log "linux-image-amd64 unknown to apt-cache; running apt-get update"
    apt-get update -qq >&2 || true
    abi=$(current_abi || true)
  fi
fi
if [ -z "$abi" ]; then
  dir=$(newest_cached)
  [ -n "$dir" ] || { log "no kernel: apt knows no linux-image-amd64 and nothing is cached in $CACHE"; exit 77; }
  log "using cached $(basename "$dir")"; echo "$dir"; exit 0
fi
pkg=linux-image-$abi
ver=$(apt-cache policy "$pkg" | awk '$1 == "Candidate:" { print $2; exit }')
dir=$CACHE/${abi}_${ver}
if [ -f "$dir/kernel.env" ]; then echo "$dir" | tee "$CACHE/current"; exit 0; fi

# Cold path: download the .deb, unpack it, build the module index the postinst would build.
log "fetching $pkg $ver into $dir"
rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
( cd "$dir.tmp" && apt-get download -q "$pkg=$ver" >&2 2>/dev/null ) ||
  { log "apt-get download $pkg=$ver failed (no network or no package lists)"; rm -rf "$dir.tmp"; exit 77; }
dpkg-deb -x "$dir.tmp"/*.deb "$dir.tmp/root"
rm -f "$dir.tmp"/*.deb
depmod -b "$dir.tmp/root" "$abi"

# An uncompressed vmlinux boots ~4 s faster under TCG (QEMU loads the ELF via its PVH note and
# skips the in-guest decompressor). Same idea as the kernel's scripts/extract-vmlinux: find the
# compressed payload's magic inside the bzImage and decompress from there.
vmlinuz=$dir.tmp/root/boot/vmlinuz-$abi
kernel=$dir/root/boot/vmlinuz-$abi
extract() { # $1 magic (grep -P) $2 decompressor
  local off
  for off in $(LC_ALL=C grep -aboP "$1" "$vmlinuz" | cut -d: -f1); do
    tail -c +"$((off + 1))" "$vmlinuz" | $2 > "$dir.tmp/vmlinux" 2>/dev/null || true
    if [ "$(head -c 4 "$dir.tmp/vmlinux" 2>/dev/null | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then return 0; fi
  done
  rm -f "$dir.tmp/vmlinux"; return 1
}
if extract '\x28\xb5\x2f\xfd' 'zstd -dcq' || extract '\xfd7zXZ\x00' 'xz -dcq' || extract '\x1f\x8b\x08' 'gzip -dcq'; then
  kernel=$dir/vmlinux
else
  log "could not extract vmlinux; booting the compressed vmlinuz"
fi
printf 'KV=%s\nKERNEL=%s\nROOT=%s\n' "$abi" "$kernel" "$dir/root" > "$dir.tmp/kernel.env"
rm -rf "$dir"; mv "$dir.tmp" "$dir"
log "ready: $dir"
echo "$dir" | tee "$CACHE/current"
