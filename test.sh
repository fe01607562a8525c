#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds with warnings as errors and runs every test tier:
# unit and integration on the simulated host, then the vm tier on a real kernel in QEMU.
# DAXD_SKIP_VM=1 leaves the vm tier out (it is reported as skipped, with the reason).
# Then the sanitizer tier: a clang build with ASan + UBSan (preset asan-fuzz) runs each libFuzzer
# harness for DAXD_FUZZ_SECONDS (default 10). DAXD_ASAN_UNIT=1 also builds and runs the unit
# tests under the sanitizers (off by default: that build would take CI past its time budget);
# DAXD_SKIP_SANITIZERS=1 leaves the tier out.
set -euo pipefail
cd "$(dirname "$0")"
packaging/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci -j"$(nproc)"
ctest --preset ci -j"$(nproc)" "$@"

if [ "${DAXD_SKIP_SANITIZERS:-0}" = 1 ]; then
  echo "test.sh: sanitizer tier skipped (DAXD_SKIP_SANITIZERS=1)"
  exit 0
fi
cmake --preset asan-fuzz -DDAXD_FUZZ_SECONDS="${DAXD_FUZZ_SECONDS:-10}" >/dev/null
if [ "${DAXD_ASAN_UNIT:-0}" != 1 ]; then
  cmake --build --preset asan-fuzz-only -j"$(nproc)"
  ctest --preset asan-fuzz -j"$(nproc)" -L fuzz
else
  cmake --build --preset asan-fuzz -j"$(nproc)"
  ctest --preset asan-fuzz -j"$(nproc)"
fi
