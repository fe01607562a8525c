// SPDX-License-Identifier: Apache-2.0
// The sim's dm-snapshot (drivers/md/dm-snap.c): COW stores, handover, merge, status; bulk copies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/host/block_devices.h"
#include "daemon/host/sim/sim_rules.h"
#include "daemon/host/sim/sim_state.h"

namespace daxd::host::sim {

/// register_snapshot() at table load of a snapshot or snapshot-merge target: at most two tables
/// share one COW (the live one and the one taking its exceptions over), and one snapshot-merge
/// per origin. Errors: invalid_argument with the kernel's ti->error text.
Result<void> check_snapshot_load(SimState const& s, std::string_view name, DmTarget const& t);

/// snapshot_preresume(): a snapshot-merge (or snapshot) taking over the exceptions of a live
/// snapshot on another device needs that device suspended first. Errors: invalid_argument.
Result<void> check_snapshot_resume(SimState const& s, SimDmDevice const& d);

/// After `d`'s table went live: a new snapshot shows its origin as of now (its data are then
/// the COW store, "snap:<cow>"); a snapshot-merge merges at once (the origin's storage becomes
/// the snapshot's content, the store is left without exceptions).
void snapshot_table_live(SimState& s, SimDmDevice const& d);

/// DeviceMapper::status: per live target, "" or a snapshot's "<allocated>/<total> <metadata>"
/// (sectors, persistent store) or "Invalid". Errors: not_found.
Result<std::vector<std::string>> dm_status(SimState const& s, std::string_view name);

/// A write of `bytes` to `d` (its origin data or a snapshot itself) fills COW chunks of the
/// snapshots that see it.
void note_write(SimState& s, DeviceInfo const& d, std::uint64_t bytes);

/// BlockDevices::copy: `to` holds what `from` holds. Errors: not_found, invalid_argument
/// (unaligned length, a device shorter than it), io_error (a suspended device: I/O would block).
Result<host::CopyStats> copy_blocks(SimState& s, std::string_view from, std::string_view to,
                                    std::uint64_t length);

/// BlockDevices::zero: `device` holds nothing (no filesystem, no COW store header).
/// Errors: as copy_blocks.
Result<void> zero_blocks(SimState& s, std::string_view device, std::uint64_t length);

}  // namespace daxd::host::sim
