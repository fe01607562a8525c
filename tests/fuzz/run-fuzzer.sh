#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs one libFuzzer harness for SECONDS over CORPUS (seeded from SEEDS) and prints how many
# inputs it executed; any crash, leak or sanitizer report makes it exit non-zero.
# Usage: run-fuzzer.sh BINARY SECONDS CORPUS SEEDS
set -eu
bin=$1 seconds=$2 corpus=$3 seeds=$4
mkdir -p "$corpus"
artifacts=$(dirname "$corpus")/artifacts/$(basename "$bin")
mkdir -p "$artifacts"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
"$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$corpus" "$seeds" >"$log" 2>&1 || status=$?
grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$log" || true
if [ "$status" -ne 0 ]; then
  tail -n 60 "$log"
  echo "fuzzer $(basename "$bin") failed (exit $status); reproducer in $artifacts" >&2
fi
exit "$status"
