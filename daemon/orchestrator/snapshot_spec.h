// SPDX-License-Identifier: Apache-2.0
// Snapshot specs and records: JSON shapes, the stored records, and the pieces the snapshot
// operations share (owned by create; used by destroy, restore, mount and reconcile).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/host/host.h"
#include "daemon/model/result.h"
#include "daemon/model/snapshot.h"
#include "daemon/model/volume.h"
#include "daemon/orchestrator/hooks.h"
#include "daemon/orchestrator/orchestrator.h"
#include "state/desired_state.h"
#include "state/journal.h"

namespace daxd::orchestrator {

/// The snapshot as stored (no live fields) and as carried in normalised requests.
nlohmann::json snapshot_spec(Snapshot const& s);
/// The snapshot spec at `key` of a normalised request. Errors: invalid_argument.
Result<Snapshot> request_snapshot(nlohmann::json const& r, char const* key = "snapshot");

/// The dm uuid daxd gives each device of a snapshot stack: "DAXD-" and the dm name without its
/// "daxd-" prefix ("daxd-db@n+cow" -> "DAXD-db@n+cow"); daxd-VOL keeps volume_uuid's "DAXD-VOL".
std::string snapshot_dm_uuid(std::string const& dm_name);

/// volume_spec(v), plus "dax_capable": false while a cow snapshot suspends DAX (the stored
/// volume says so until the last cow snapshot goes; volume_from_json reads it back).
nlohmann::json stored_volume_spec(Volume const& v);

/// Stores `s` (snapshot_spec) under (s.volume, s.name); false when the same spec was there.
/// Errors: io_error.
Result<bool> put_snapshot_record(state::DesiredState& desired, Snapshot const& s);

/// Stored snapshot records (state::DesiredState's snapshot table). Errors: not_found, io_error,
/// invalid_argument (unreadable record).
Result<Snapshot> desired_snapshot(state::DesiredState& desired, std::string const& volume,
                                  std::string const& name);
Result<std::vector<Snapshot>> desired_snapshots(state::DesiredState& desired,
                                                std::string const& volume);

/// The dm table of a snapshot's own extents (the copy, or the COW store): linear over them.
/// Errors: as volume_table.
Result<std::vector<DmTarget>> store_table(host::Host& host, Snapshot const& s);

/// The cow stack's tables, devices as MAJ:MIN of the devices as they are now:
/// "snapshot-origin <real>" for daxd-VOL, "snapshot <real> <cow> P 8" for daxd-VOL@SNAP,
/// "snapshot-merge <real> <cow> P 8" for a merge. Errors: not_found (a device is missing).
Result<std::vector<DmTarget>> origin_table(host::Host& host, Volume const& v);
Result<std::vector<DmTarget>> cow_snapshot_table(host::Host& host, Volume const& v,
                                                 Snapshot const& s, bool merge = false);

namespace detail {
// One per file, each registering its type in register_snapshot_operations (snapshot_ops.cpp).
OperationType create_snapshot_type(state::DesiredState& desired, state::Journal& journal,
                                   Hooks* hooks);
OperationType destroy_snapshot_type(state::DesiredState& desired, state::Journal& journal,
                                    Hooks* hooks);
OperationType restore_snapshot_type(state::DesiredState& desired, state::Journal& journal,
                                    Hooks* hooks);
OperationType mount_snapshot_type(state::DesiredState& desired);

/// Steps shared by destroy (last cow snapshot) and restore (cow, after the merge): with the
/// origin unmounted, the cow stack (daxd-VOL as snapshot-origin, daxd-VOL+real) is removed and
/// daxd-VOL is created again with the volume's DAX-capable table in its first load. Undo builds
/// the cow stack back. Written by the destroy/restore owner.
std::vector<Step> cow_stack_to_dax_steps(Volume const& v, std::vector<Snapshot> const& remaining);
}  // namespace detail

}  // namespace daxd::orchestrator
