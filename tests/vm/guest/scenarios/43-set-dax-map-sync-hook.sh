#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A MAP_SYNC writer on a dax=always volume blocks DAX-off: refused with its pid named (policy
# refuse, and wait without hooks). With an exec hook registered (POST /v1/hooks: a guest script
# that stops the writer through its pidfile and waits for it to exit), policy wait succeeds: the
# writer exits 0 after munmap, the volume is dax=never and the data it wrote are intact. A hook
# that fails makes the change fail with the hook named and the mount unchanged. Both consumer
# scans (BPF iterators, /proc) see the writer's MAP_SYNC mapping.
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
need_daxd
need_programs
make_fsdax v-ms region0 512M
start_daxd
need_api POST /v1/volumes
need_api PATCH /v1/volumes/no-such-volume
need_api POST /v1/hooks

expect_status 201 POST "/v1/volumes?wait=$VOLUME_WAIT" \
  '{"name":"ms","namespaces":["v-ms"],"filesystem":"ext4","mountpoint":"/mnt/ms","dax":"always"}'
start_writer /mnt/ms/data 41
cp /tmp/writer.sum /tmp/ms.sum
grep -q " sf" "/proc/$WRITER/smaps" || fail "the writer's mapping has no 'sf' (VM_SYNC) flag"
# daxd's BPF scan finds what its /proc scan finds on this kernel, MAP_SYNC and DAX flags included.
scan_compare /mnt/ms > /tmp/scan-compare.txt 2>&1 ||
  fail "the BPF and /proc consumer scans differ: $(cat /tmp/scan-compare.txt)"
grep -q "^  $WRITER mapping /mnt/ms/data \[.*\] map_sync dax$" /tmp/scan-compare.txt ||
  fail "no MAP_SYNC DAX mapping of pid $WRITER in: $(cat /tmp/scan-compare.txt)"

api GET "/v1/consumers?volume=ms"
if [ "$STATUS" = 200 ]; then
  json_find "$OUT" -w pid="$WRITER" > /dev/null || fail "GET /v1/consumers?volume=ms misses pid $WRITER"
fi

# Refused, the writer named: policy refuse, and policy wait while no hook can make it go.
expect_status 409 PATCH "/v1/volumes/ms?wait=$VOLUME_WAIT" '{"dax":"never"}'
body_has "pid $WRITER"
daxd_scans_with_bpf
expect_status 409 PATCH "/v1/volumes/ms?wait=$VOLUME_WAIT" \
  '{"dax":"never","policy":"wait","deadline_ms":3000}'
body_has "pid $WRITER"
body_has MAP_SYNC
alive "$WRITER" || fail "a refused change stopped the writer"
[ "$(mount_dax /mnt/ms)" = always ] || fail "a refused change left /mnt/ms dax=$(mount_dax /mnt/ms)"

# The application's hook: stop the writer named in the pidfile, return once it has exited.
cat > /tmp/stop-writer.sh << 'EOF'
#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
echo "phase=$DAXD_PHASE volume=$DAXD_VOLUME mountpoint=$DAXD_MOUNTPOINT operation=$DAXD_OPERATION deadline_ms=$DAXD_DEADLINE_MS" >> /tmp/hook.log
[ "$DAXD_PHASE" = quiesce ] || exit 0
pid=$(cat "$1") || exit 1
kill -TERM "$pid" 2> /dev/null
i=0
while [ -e "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2> /dev/null; do
  i=$((i + 1))
  [ $i -gt 150 ] && { echo "writer $pid did not exit" >&2; exit 1; }
  sleep 0.1
done
exit 0
EOF
chmod 0755 /tmp/stop-writer.sh
rm -f /tmp/hook.log
hook='{"volume":"ms","name":"stop-writer","kind":"exec","argv":["/tmp/stop-writer.sh","/tmp/writer.pid"],"timeout_ms":30000}'
expect_status 201 POST /v1/hooks "$hook"
hook_id=$(json_find "$OUT" /hook/id) || fail "POST /v1/hooks answered no hook id"
expect_status 200 POST /v1/hooks "$hook"
[ "$(json_find "$OUT" changed)" = false ] || fail "registering the same hook again said changed"
expect_status 200 GET "/v1/hooks?volume=ms"
json_find "$OUT" -w name=stop-writer > /dev/null || fail "GET /v1/hooks does not list stop-writer"

expect_status 200 PATCH "/v1/volumes/ms?wait=$VOLUME_WAIT" \
  '{"dax":"never","policy":"wait","deadline_ms":30000}'
cat /tmp/hook.log
wait "$WRITER"
rc=$?
cat /tmp/writer.log
[ $rc = 0 ] || fail "the writer exited $rc: it should have unmapped and exited 0 on SIGTERM"
grep -q "phase=quiesce volume=ms mountpoint=/mnt/ms" /tmp/hook.log || fail "the hook was not called to quiesce"
grep -q "phase=resume volume=ms" /tmp/hook.log || fail "the hook was not called to resume"
[ "$(mount_dax /mnt/ms)" = never ] || fail "/mnt/ms is dax=$(mount_dax /mnt/ms) after the change"
[ "$(volume_json ms dax)" = never ] || fail "daxd shows ms with dax=$(volume_json ms dax)"
mmap_reader -s 41 -c /tmp/ms.sum -d 0 -m unsupported /mnt/ms/data || fail "the writer's data changed"

# Back to always: the hook runs again (its writer is gone) and the change succeeds.
expect_status 200 PATCH "/v1/volumes/ms?wait=$VOLUME_WAIT" \
  '{"dax":"always","policy":"wait","deadline_ms":30000}'
mmap_reader -s 41 -c /tmp/ms.sum -d 1 -m ok /mnt/ms/data || fail "the data changed going back to always"

# A failing hook: the change fails naming it and its stderr; nothing changes.
printf '#!/bin/sh\necho "not today" >&2\nexit 3\n' > /tmp/fail-hook.sh
chmod 0755 /tmp/fail-hook.sh
expect_status 201 POST /v1/hooks \
  '{"volume":"ms","name":"refuser","kind":"exec","argv":["/tmp/fail-hook.sh"],"timeout_ms":10000}'
fail_id=$(json_find "$OUT" /hook/id) || fail "POST /v1/hooks answered no hook id"
api PATCH "/v1/volumes/ms?wait=$VOLUME_WAIT" '{"dax":"never","policy":"wait","deadline_ms":10000}'
case $STATUS in 4??|5??) ;; *) fail "a failing hook did not fail the change (status ${STATUS:-none})";; esac
body_has refuser
body_has "not today"
[ "$(mount_dax /mnt/ms)" = always ] || fail "a failed change left /mnt/ms dax=$(mount_dax /mnt/ms)"

expect_status 200 DELETE "/v1/hooks/$fail_id"
expect_status 200 DELETE "/v1/hooks/$hook_id"
expect_status 200 DELETE "/v1/volumes/ms?wait=$VOLUME_WAIT"
[ -z "$(dm_table ms)" ] || fail "daxd-ms is still there after the destroy"
exit 0
