// SPDX-License-Identifier: Apache-2.0
// Steps shared by destroy, restore, mount and reconcile of snapshots: dm devices of the snapshot
// stack created or removed by name, read-only mounts, and the snapshot and volume records.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/host/host.h"
#include "daemon/model/result.h"
#include "daemon/model/snapshot.h"
#include "daemon/model/volume.h"
#include "daemon/orchestrator/step.h"
#include "state/desired_state.h"
#include "state/journal.h"

namespace daxd::orchestrator {

/// The table a device of the snapshot stack gets, built from the host as it is at that moment
/// (devices are referred to by MAJ:MIN, which change across reboots).
using StackTable = std::function<Result<std::vector<DmTarget>>(host::Host&)>;

/// The snapshot's own dm device seen as a volume (name "VOL@SNAP", its dm name, the origin's
/// filesystem, the snapshot's read-only mountpoint): what volume_consumers() needs.
Volume snapshot_device(Volume const& v, Snapshot const& s);

/// Whether `dm_name` exists with a live table whose first target is of `type`. Errors: host's.
Result<bool> dm_has_type(host::Host& host, std::string const& dm_name, std::string const& type);

/// "NAME": `dm_name` exists (uuid snapshot_dm_uuid) with table(host) from its first load (never
/// reloaded: the type a device gets from its first table sticks). A device of that name is left
/// as it is. Undo: removed (refused while anything uses it).
Step create_stack_dm_step(std::string name, std::string dm_name, std::string description,
                          StackTable table);

/// "NAME": `dm_name` is gone, refused while it is mounted, held or open. With `undo_table`, the
/// undo creates it again from its first load; without, the step is a commit point (irreversible).
Step remove_stack_dm_step(std::string name, std::string dm_name, std::string description,
                          StackTable undo_table = {});

/// "remove-origin": daxd-VOL is gone while it is a snapshot-origin (any other daxd-VOL, e.g. the
/// DAX one a later step made, is left alone; refused while used). Undo: the snapshot-origin over
/// daxd-VOL+real is created again, once every snapshot of `remaining` has its device.
Step remove_origin_step(Volume const& v, std::vector<Snapshot> const& remaining);

/// "unmount-snapshot": nothing of the snapshot's is mounted at s.mountpoint (refused while
/// processes use it, naming them). Undo: mounted read-only again. A no-op without a mountpoint.
Step unmount_snapshot_step(Volume const& v, Snapshot const& s);

/// "mount-read-only": the snapshot's device is mounted read-only at `mountpoint`. Undo:
/// unmounted (refused while processes use it).
Step mount_read_only_step(Volume const& v, Snapshot const& s, std::string const& mountpoint);

/// "forget-snapshot": the snapshot's record is gone. Undo: stored again.
Step forget_snapshot_step(state::DesiredState& desired, Snapshot const& s);

/// "record-volume": the volume's stored spec is `v` (dax_capable included). Undo: `previous`.
Step record_volume_step(state::DesiredState& desired, Volume const& v, Volume const& previous);

/// Journals how long the world was stopped (since the stopped_at_ms step `quiesce_index`
/// recorded), and keeps the figure in ctx.data["stopped_ms"]. Best effort.
void record_stopped_time(state::Journal& journal, StepContext& ctx, int quiesce_index);

/// The volume's other snapshots a normalised request carries ("others"), so that the plan is a
/// function of the request; without that key, those stored now (under the volume's lock, and
/// the same before and after the request's own record goes). Errors: invalid_argument, io_error.
Result<std::vector<Snapshot>> request_others(state::DesiredState& desired, nlohmann::json const& r,
                                             std::string const& volume, std::string const& except);

/// The stored snapshots of `volume` but `except`. Errors: io_error, invalid_argument.
Result<std::vector<Snapshot>> other_snapshots(state::DesiredState& desired,
                                              std::string const& volume, std::string const& except);

}  // namespace daxd::orchestrator
