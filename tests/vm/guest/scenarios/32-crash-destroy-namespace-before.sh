#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Crash matrix: daxd killed at destroy-namespace.destroy-namespace.before, then recovery (scenario-lib.sh).
# shellcheck source=/dev/null  # tests/vm/guest/scenario-lib.sh, installed as /scenario-lib.sh
. /scenario-lib.sh
crash_scenario destroy-namespace before
