#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Snapshot crash matrix: daxd killed at create-snapshot.copy.after during create-copy, then recovery (snapshot-lib.sh).
# vm-tier: full
# shellcheck source=/dev/null  # tests/vm/guest/*-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
. /snapshot-lib.sh
snapshot_crash_scenario create-copy copy after
