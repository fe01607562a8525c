#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Snapshot crash matrix: daxd killed at restore-snapshot.start-merge.after during restore-cow, then recovery (snapshot-lib.sh).
# shellcheck source=/dev/null  # tests/vm/guest/*-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
. /snapshot-lib.sh
snapshot_crash_scenario restore-cow start-merge after
