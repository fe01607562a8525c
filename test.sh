#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds with warnings as errors and runs every test tier:
# unit and integration on the simulated host, then the vm tier on a real kernel in QEMU.
# DAXD_SKIP_VM=1 leaves the vm tier out (it is reported as skipped, with the reason).
set -euo pipefail
cd "$(dirname "$0")"
packaging/install-deps.sh
cmake --preset ci >/dev/null
cmake --build --preset ci -j"$(nproc)"
ctest --preset ci -j"$(nproc)" "$@"
