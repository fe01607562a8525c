// SPDX-License-Identifier: Apache-2.0
// Snapshots of DAX volumes through the engine: create (cow, copy, auto), destroy, restore, mount.
//
// dm-snapshot is never DAX-capable and a dm device's type is fixed by its first table load, so a
// DAX volume cannot gain a snapshot-origin table in place (the kernel answers "can't change
// device type"). Two methods therefore:
//  - cow: stop the world, unmount, remove daxd-VOL, build daxd-VOL+real (the volume's own
//    table), daxd-VOL@SNAP+cow (the store), daxd-VOL@SNAP (snapshot, persistent, chunk 8 sectors)
//    and daxd-VOL again as snapshot-origin; mount it with dax=never; resume. DAX stays suspended
//    (Volume.dax_capable false) until the last cow snapshot goes: then the world stops again and
//    the DAX-capable table and the volume's dax mount come back. A further cow snapshot of a
//    volume that already has one only suspends the origin (dm lockfs) while it is added.
//  - copy: quiesce, create daxd-VOL@SNAP (linear over the store, DAX-capable), FIFREEZE the
//    origin, copy its bytes (host BlockDevices), FITHAW. The origin keeps DAX; the snapshot is a
//    DAX-capable device of its own. FIFREEZE's writeback write-protects the DAX pages of dirty
//    inodes, so stores through plain shared mappings block while frozen. A MAP_SYNC fault that
//    allocates a block commits the metadata itself and, on xfs, leaves the inode clean: that
//    page stays writable and its stores reach the media while frozen (seen on 6.1: VM scenario
//    freeze-dax-stores-fresh). A copy therefore requires MAP_SYNC mappings gone (policy, hooks).
// Restore: a cow snapshot is merged (snapshot-merge, waited for through dm status) and then the
// DAX table comes back; a copy is swapped in (the origin's table points at the copy's extents,
// the old extents are released). The restored snapshot is consumed, as lvconvert --merge does.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/host/host.h"
#include "daemon/model/result.h"
#include "daemon/model/snapshot.h"
#include "daemon/orchestrator/hooks.h"
#include "daemon/orchestrator/orchestrator.h"
#include "state/desired_state.h"
#include "state/journal.h"

namespace daxd::orchestrator {

inline constexpr char kCreateSnapshot[] = "create-snapshot";
inline constexpr char kDestroySnapshot[] = "destroy-snapshot";
inline constexpr char kRestoreSnapshot[] = "restore-snapshot";
inline constexpr char kMountSnapshot[] = "mount-snapshot";

/// Registers the four snapshot operation types, and makes destroy-volume refuse a volume that
/// still has snapshots, and grow-volume and set-dax refuse a volume with cow snapshots (conflict
/// naming them). Call after register_volume_operations. `desired` and `journal` (and `hooks`)
/// must outlive `o`.
void register_snapshot_operations(Orchestrator& o, state::DesiredState& desired,
                                  state::Journal& journal, Hooks* hooks = nullptr);

/// Validates a create request for volume `volume`:
///   {name, method?: cow|copy|auto (auto), namespaces: [..] | extents: [..] (the store),
///    mountpoint? (read-only mount of the snapshot), policy?, deadline_ms?}
/// and returns {name, volume: spec, snapshot: spec with method decided and extents explicit,
/// method_reason: why auto chose it, expected_stop_ms, policy, deadline_ms}.
/// Errors: invalid_argument (bad field, store too small: copy needs the volume's size, cow at
/// least 16 MiB; store extents overlap a volume or snapshot), not_found (volume, namespace),
/// conflict (the volume is not active and mounted).
Result<nlohmann::json> normalise_create_snapshot(host::Host& host, state::DesiredState& desired,
                                                 std::string const& volume,
                                                 nlohmann::json const& body);

/// CSI-style idempotency: the snapshot made by an identical normalised request, nullopt when
/// there is none of that name. Errors: already_exists (a different spec), io_error.
Result<std::optional<Snapshot>> existing_snapshot(state::DesiredState& desired,
                                                  nlohmann::json const& create_request);

/// {policy?, deadline_ms?} for destroy/restore of `volume`'s snapshot `name`; returns it
/// normalised with the volume's and the snapshot's specs. Errors: invalid_argument, not_found,
/// conflict (restore of a cow snapshot while the volume has other snapshots; names them).
Result<nlohmann::json> normalise_destroy_snapshot(state::DesiredState& desired,
                                                  std::string const& volume,
                                                  std::string const& name,
                                                  nlohmann::json const& body);
Result<nlohmann::json> normalise_restore_snapshot(state::DesiredState& desired,
                                                  std::string const& volume,
                                                  std::string const& name,
                                                  nlohmann::json const& body);

/// {mountpoint: "/mnt/x"} mounts the snapshot read-only there; {mountpoint: ""} unmounts it.
/// Errors: invalid_argument, not_found.
Result<nlohmann::json> normalise_mount_snapshot(state::DesiredState& desired,
                                                std::string const& volume,
                                                std::string const& name,
                                                nlohmann::json const& body);

/// The snapshots of `volume` as stored, with live fields (dax_capable, state "failed" when
/// its dm device is gone, "merging") read from the host. Errors: not_found (volume), io_error.
Result<std::vector<Snapshot>> list_snapshots(host::Host& host, state::DesiredState& desired,
                                             std::string const& volume);
/// Errors: not_found (volume or snapshot), io_error.
Result<Snapshot> get_snapshot(host::Host& host, state::DesiredState& desired,
                              std::string const& volume, std::string const& name);

}  // namespace daxd::orchestrator
