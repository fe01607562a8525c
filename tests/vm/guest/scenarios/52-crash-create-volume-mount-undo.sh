#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Crash matrix: daxd killed after create-volume.record-desired, then again in the rollback at
# vm-tier: full
# create-volume.mount.undo; the third start finishes the rollback (volume-lib.sh).
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
volume_crash_scenario create-volume mount undo
