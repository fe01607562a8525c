#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Crash matrix: daxd killed at set-dax.mount.after (dax always -> never), then recovery (volume-lib.sh).
# vm-tier: full
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
volume_crash_scenario set-dax mount after
