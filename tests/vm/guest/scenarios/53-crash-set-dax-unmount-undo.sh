#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Crash matrix: daxd killed after set-dax.mount (dax=never mounted, not yet recorded), then again
# vm-tier: full
# in the rollback at set-dax.unmount.undo; the third start finishes the rollback (volume-lib.sh).
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
volume_crash_scenario set-dax unmount undo
