#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Snapshot crash matrix: daxd killed at create-snapshot.create-origin.after during create-cow, then recovery (snapshot-lib.sh).
# shellcheck source=/dev/null  # tests/vm/guest/*-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
. /snapshot-lib.sh
snapshot_crash_scenario create-cow create-origin after
