#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Issue 6's freeze fact, without daxd: can stores through DAX mappings that exist before
# FIFREEZE reach the media while the filesystem is frozen (and so slip into a copy)?
# "settled": the counter's block was allocated and written back (msync) before the loop, so
# the writer's stores fault on an allocated block. For ext4 and xfs (dax=always on dm-linear over
# fsdax) and for a plain MAP_SHARED and a MAP_SYNC mapping, store_counter keeps storing a counter
# at file offset 0; util-linux fsfreeze -f; the block is read from the dm device with O_DIRECT
# three times a second apart; fsfreeze -u. "slips": the media changed while frozen; "blocked":
# the writer stopped in a page fault (its progress counter on tmpfs stood still) and the media
# kept the value it had at the freeze. Writes freeze-dax-stores.txt (one line per case).
# shellcheck source=/dev/null  # tests/vm/guest/*-lib.sh, installed in /
. /scenario-lib.sh
. /volume-lib.sh
. /snapshot-lib.sh
# Found on 6.1.0-56 (TCG): every settled case blocks; the writer waits in percpu_rwsem_wait.
# shellcheck disable=SC2034  # read by freeze_scenario (snapshot-lib.sh)
FREEZE_EXPECT="ext4:shared:settled=blocked ext4:sync:settled=blocked xfs:shared:settled=blocked
  xfs:sync:settled=blocked"
freeze_scenario settled
