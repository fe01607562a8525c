#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# daxd's inventory against the kernel's own tools. Namespaces made by ndctl, a linear table made
# by dmsetup and an ext4 dax=always mount on it; then daxd (linux host) is started and asked.
# Writes for the host-side checks (tests/vm/crosscheck_test.cpp):
#   ndctl-list.json, daxadm-list.json   (`list -RNu` of each); ndctl-list-verbose.json and
#                                       daxadm-list-verbose.json (-RNuv)
#   daxd-get-<route>.txt                (status line + body of GET /v1/<route>)
#   inventory-expect.txt                (the dm name and mount point daxd should show)
#   dmsetup-table.txt, dmsetup-devno.txt, proc-mounts.txt   (the kernel's view of both)
set -e
for p in daxd daxadm unix_http_get; do
  [ -x /usr/bin/$p ] || { echo "$p not built: cannot check daxd's inventory"; exit 77; }
done
ndctl create-namespace -m fsdax -r region0 -s 512M -n x-fsdax | tee /tmp/x-fsdax.json
ndctl create-namespace -m devdax -r region0 -s 256M -n x-devdax
ndctl create-namespace -m sector -r region1 -s 256M -n x-sector
ndctl create-namespace -m fsdax -r region1 -s 256M -n x-fsdax1
pmem=$(sed -n 's/.*"blockdev":"\([^"]*\)".*/\1/p' /tmp/x-fsdax.json)
dmsetup create x-lin --table "0 $(cat "/sys/block/$pmem/size") linear /dev/$pmem 0"
mkfs.ext4 -q -F -b 4096 /dev/mapper/x-lin
mkdir -p /mnt/x-dax
mount -t ext4 -o dax=always /dev/mapper/x-lin /mnt/x-dax
printf 'dm x-lin\nmount /mnt/x-dax\n' > "$R/inventory-expect.txt"
dmsetup table x-lin > "$R/dmsetup-table.txt"
dmsetup info -c --noheadings -o major,minor x-lin > "$R/dmsetup-devno.txt"
grep ' /mnt/x-dax ' /proc/mounts | tee "$R/proc-mounts.txt"

daxd --host linux --state-dir /tmp/daxd --socket /tmp/daxd.sock --socket-group "" --admin-group "" \
  > "$R/daxd.log" 2>&1 &
daxd_pid=$!
i=0; while [ ! -S /tmp/daxd.sock ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
[ -S /tmp/daxd.sock ] || { echo "daxd did not create its socket"; cat "$R/daxd.log"; exit 1; }

set +e
ndctl list -RNu > "$R/ndctl-list.json"
ndctl list -RNuv > "$R/ndctl-list-verbose.json"     # numa_node/target_node appear only with -v
daxadm --socket /tmp/daxd.sock list -RNu > "$R/daxadm-list.json"; echo "daxadm list rc=$?"
daxadm --socket /tmp/daxd.sock list -RNuv > "$R/daxadm-list-verbose.json"; echo "daxadm list -v rc=$?"
for route in regions namespaces volumes dm-devices mounts consumers; do
  unix_http_get /tmp/daxd.sock /v1/$route > "$R/daxd-get-$route.txt" 2>&1
  echo "GET /v1/$route: $(head -n1 "$R/daxd-get-$route.txt")"
done
kill $daxd_pid; wait $daxd_pid
echo "daxd exit $?"
exit 0
