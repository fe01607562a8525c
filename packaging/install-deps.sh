#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian package daxd needs to build, test and run its VM tier; fast when all are present.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev nlohmann-json3-dev libsqlite3-dev libcli11-dev libsystemd-dev
  libndctl-dev libdaxctl-dev libdevmapper-dev libmount-dev libblkid-dev libssl-dev libudev-dev
  # The consumer scan's BPF iterators: libbpf, and bpftool for their skeleton.
  libbpf-dev bpftool
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev openssl
  # The ci preset builds with clang, ASan + UBSan and libFuzzer; llvm-symbolizer names report lines.
  llvm
)
# The real-kernel tier: a Debian kernel in QEMU with the tools it cross-checks against.
VM_PKGS=(
  qemu-system-x86 busybox-static cpio kmod zstd bc
  ndctl daxctl dmsetup e2fsprogs xfsprogs util-linux
)
# Baselines that bench/ measures daxd against.
BENCH_PKGS=(wrk psmisc lsof hyperfine)

want=("${BUILD_PKGS[@]}" "${VM_PKGS[@]}" "${BENCH_PKGS[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
