#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ctest body of one VM scenario: prints what the guest recorded for it and exits with its verdict.
# Usage: check-result.sh RUNDIR NAME     Exit: 0 pass, 77 skipped (with the reason), 1 failed.
set -euo pipefail
res=$1/results
name=$2
if [ -f "$res/SKIPPED" ]; then echo "SKIPPED: the VM cannot run here: $(cat "$res/SKIPPED")"; exit 77; fi
if [ ! -f "$res/$name.rc" ]; then
  echo "no result for '$name': vm.boot did not run it (see $1/serial.log and $1/timing.txt)"
  exit 1
fi
cat "$res/$name.log" 2>/dev/null || true
rc=$(cat "$res/$name.rc")
case $rc in
  0) exit 0;;
  77) echo "SKIPPED: the scenario skipped itself in the guest"; exit 77;;
  *) echo "FAILED in the guest with exit status $rc"; exit 1;;
esac
