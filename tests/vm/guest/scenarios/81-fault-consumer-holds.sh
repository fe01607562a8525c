#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Issue 8, a consumer that never lets go: policy wait with a 3 s deadline and no hook that could
# make it go. A MAP_SYNC writer blocks set-dax never and a process holding a file blocks
# destroy-volume: each refused (409) with the holder's pid named, within the deadline, and
# nothing changed (mount, DAX, dm table, the holders still running, the volume listed).
# Writes fault-consumer-holds.txt (how long each refusal took).
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
need_daxd
need_programs
make_fsdax v-ch region0 512M
start_daxd
need_api POST /v1/volumes
expect_status 201 POST "/v1/volumes?wait=$VOLUME_WAIT" \
  '{"name":"ch","namespaces":["v-ch"],"filesystem":"ext4","mountpoint":"/mnt/ch","dax":"always"}'
table=$(dm_table ch)
start_writer /mnt/ch/data 81

elapsed() { awk -v a="$1" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }'; }
t0=$(cut -d' ' -f1 /proc/uptime)
expect_status 409 PATCH "/v1/volumes/ch?wait=$VOLUME_WAIT" '{"dax":"never","policy":"wait","deadline_ms":3000}'
took=$(elapsed "$t0")
echo "set-dax never, MAP_SYNC writer, policy wait 3000 ms: 409 after ${took}s" | tee "$R/$SCENARIO.txt"
body_has "pid $WRITER"
alive "$WRITER" || fail "the refused change stopped the writer"
[ "$(mount_dax /mnt/ch)" = always ] || fail "/mnt/ch is dax=$(mount_dax /mnt/ch)"
[ "$(dm_table ch)" = "$table" ] || fail "the dm table of ch changed: $(dm_table ch)"
stop_pid "$WRITER"
mmap_reader -s 81 -c /tmp/writer.sum -d 1 -m ok /mnt/ch/data || fail "the writer's data changed"

fd_holder /mnt/ch/data /tmp/holder.pid > /tmp/holder.log 2>&1 &
HOLDER=$!
HOLDERS="$HOLDERS $HOLDER"
i=0
while [ ! -s /tmp/holder.pid ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t0=$(cut -d' ' -f1 /proc/uptime)
expect_status 409 DELETE "/v1/volumes/ch?wait=$VOLUME_WAIT&policy=wait&deadline_ms=3000"
took=$(elapsed "$t0")
echo "destroy-volume, fd holder, policy wait 3000 ms: 409 after ${took}s" | tee -a "$R/$SCENARIO.txt"
body_has "pid $HOLDER"
alive "$HOLDER" || fail "the refused destroy stopped the holder"
[ "$(mount_dax /mnt/ch)" = always ] || fail "/mnt/ch is dax=$(mount_dax /mnt/ch) after the refused destroy"
[ "$(dm_table ch)" = "$table" ] || fail "the dm table of ch changed: $(dm_table ch)"
volume_json ch name > /dev/null || fail "daxd no longer lists volume ch"
expect_status 200 GET /v1/operations
for s in pending running rolling_back; do
  [ "$(json_find "$OUT" -w type -w state=$s -c)" = 0 ] || fail "an operation is still $s"
done
stop_pid "$HOLDER"
exit 0
