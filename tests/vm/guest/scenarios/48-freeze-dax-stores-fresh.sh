#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# As freeze-dax-stores, but "fresh": the writer's first store allocates the block (for MAP_SYNC
# a synchronous fault: metadata committed, the entry tagged dirty by dax_insert_pfn_mkwrite
# without dirtying the inode) and nothing writes it back before the freeze, so the freeze's
# writeback only write-protects the page if the inode is on the dirty list.
# Writes freeze-dax-stores-fresh.txt (one line per case).
# shellcheck source=/dev/null  # tests/vm/guest/*-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
. /snapshot-lib.sh
# Found on 6.1.0-56 (TCG): xfs + MAP_SYNC slips (the media kept changing while frozen: xfs does
# not dirty the VFS inode, so sync_filesystem never visits it); ext4 + MAP_SYNC blocks (the
# allocation dirtied the inode); plain MAP_SHARED blocks on both. Hence copy_blockers(): MAP_SYNC
# mappings must be gone before a copy's freeze.
# shellcheck disable=SC2034  # read by freeze_scenario (snapshot-lib.sh)
FREEZE_EXPECT="ext4:shared:fresh=blocked ext4:sync:fresh=blocked xfs:shared:fresh=blocked
  xfs:sync:fresh=slips"
freeze_scenario fresh
