#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Issue 8, daxd killed during a freeze: a copy snapshot's daxd dies by SIGKILL right after it
# froze the origin (create-snapshot.freeze.after). With daxd dead the origin is frozen (a probe
# write blocks); daxd restarted on the same state dir thaws it (the probe write completes), ends
# the operation completed or rolled_back, and leaves nothing suspended (snapshot-lib.sh).
# shellcheck source=/dev/null  # tests/vm/guest/*-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
. /snapshot-lib.sh
snapshot_crash_scenario create-copy freeze after
