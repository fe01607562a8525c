#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds with warnings as errors and runs every tier. Preset ci (clang,
# ASan + UBSan, named crash points, libFuzzer) serves unit and integration on the simulated host
# and the libFuzzer harnesses (DAXD_FUZZ_SECONDS each, default 10); preset vm-guest builds the
# programs the vm tier's QEMU guests run on a real kernel without sanitizers (an ASan process
# starts too slowly under TCG). DAXD_SKIP_VM=1 leaves the vm tier out (each vm test says so).
# Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
cd "$(dirname "$0")"
packaging/install-deps.sh
if [ "${DAXD_SKIP_VM:-0}" != 1 ]; then
  cmake --preset vm-guest >/dev/null
  cmake --build --preset vm-guest -j"$(nproc)"
fi
cmake --preset ci -DDAXD_FUZZ_SECONDS="${DAXD_FUZZ_SECONDS:-10}" >/dev/null
cmake --build --preset ci -j"$(nproc)"
ctest --preset ci -j"$(nproc)" "$@"
