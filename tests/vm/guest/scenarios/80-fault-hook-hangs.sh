#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Issue 8, a hook that hangs: an exec quiesce hook that sleeps forever (timeout_ms 3000) makes
# set-dax (policy wait, deadline 20 s) fail naming the hook, before the deadline; the world goes
# on as before: the volume stays mounted dax=always and writable, the process holding a file on
# it keeps running, nothing is suspended or left running (operation, the hook's process).
# Writes fault-hook-hangs.txt (how long the failing change took).
# shellcheck source=/dev/null  # tests/vm/guest/{scenario,volume}-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
need_daxd
need_programs
make_fsdax v-hh region0 512M
start_daxd
need_api POST /v1/volumes
need_api POST /v1/hooks
expect_status 201 POST "/v1/volumes?wait=$VOLUME_WAIT" \
  '{"name":"hh","namespaces":["v-hh"],"filesystem":"ext4","mountpoint":"/mnt/hh","dax":"always"}'
echo before > /mnt/hh/before || fail "cannot write /mnt/hh"
fd_holder /mnt/hh/before /tmp/holder.pid > /tmp/holder.log 2>&1 &
HOLDER=$!
HOLDERS="$HOLDERS $HOLDER"
i=0
while [ ! -s /tmp/holder.pid ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s /tmp/holder.pid ] || fail "fd_holder did not start"

# shellcheck disable=SC2016  # expanded by the hook
printf '#!/bin/sh\necho "$$ $DAXD_PHASE" >> /tmp/hang.log\nexec /bin/sleep 86399\n' > /tmp/hang-hook.sh
chmod 0755 /tmp/hang-hook.sh
expect_status 201 POST /v1/hooks \
  '{"volume":"hh","name":"hangs","kind":"exec","argv":["/tmp/hang-hook.sh"],"timeout_ms":3000}'
t0=$(cut -d' ' -f1 /proc/uptime)
api PATCH "/v1/volumes/hh?wait=$VOLUME_WAIT" '{"dax":"never","policy":"wait","deadline_ms":20000}'
took=$(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.1f", b - a }')
echo "set-dax with a hanging hook: status $STATUS after ${took}s; hook log: $(cat /tmp/hang.log 2> /dev/null)" |
  tee "$R/$SCENARIO.txt"
case $STATUS in 4??|5??) ;; *) fail "a hanging hook did not fail the change (status ${STATUS:-none})";; esac
body_has hangs
awk -v t="$took" 'BEGIN { exit !(t < 20) }' || fail "the change took ${took}s, past its 20 s deadline"

[ "$(mount_dax /mnt/hh)" = always ] || fail "/mnt/hh is dax=$(mount_dax /mnt/hh) after the failed change"
[ "$(dm_queue_dax hh)" = 1 ] || fail "daxd-hh lost DAX"
alive "$HOLDER" || fail "the process holding /mnt/hh/before was stopped"
echo after > /mnt/hh/after || fail "cannot write /mnt/hh after the failed change"
dmsetup info | grep -q "^State: *SUSPENDED" && fail "a dm device is left suspended"
expect_status 200 GET /v1/operations
for s in pending running rolling_back; do
  [ "$(json_find "$OUT" -w type -w state=$s -c)" = 0 ] || fail "an operation is still $s"
done
# shellcheck disable=SC2009  # busybox pgrep -f matches its own shell too
hung() { ps | grep "[s]leep 86399"; }
i=0
while hung > /dev/null && [ $i -lt 25 ]; do sleep 0.2; i=$((i + 1)); done
hung && fail "the hung hook's process is still running"
[ "$(volume_json hh dax)" = always ] || fail "daxd records dax=$(volume_json hh dax) for hh"
stop_pid "$HOLDER"
exit 0
