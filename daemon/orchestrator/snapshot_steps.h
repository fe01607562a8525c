// SPDX-License-Identifier: Apache-2.0
// Steps of create-snapshot: the copy's quiesce, dm devices of the snapshot stacks, freeze, copy,
// thaw, suspend and resume of the origin, the record, and the snapshot's read-only mount.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "daemon/host/host.h"
#include "daemon/model/snapshot.h"
#include "daemon/model/volume.h"
#include "daemon/orchestrator/hooks.h"
#include "daemon/orchestrator/quiesce.h"
#include "daemon/orchestrator/step.h"
#include "state/desired_state.h"
#include "state/journal.h"

namespace daxd::orchestrator::detail {

/// Builds a dm table from the devices as they are when the step runs.
using TableFn = std::function<Result<std::vector<DmTarget>>(host::Host&)>;

/// "quiesce" for a copy: only copy_blockers() must go (per `q`'s policy; hooks asked as by
/// quiesce_step, ids in `hooks_asked`); records `stopped_at_ms`. Undo: asks the hooks to resume.
Step copy_quiesce_step(Volume const& v, QuiesceRequest q, Hooks* hooks);

/// `name`: dm device `dm_name` exists with uuid `uuid` and a table of `type` (from `table`).
/// Undo: removed when it is still that device (the host refuses while it is open or held).
Step create_device_step(std::string name, std::string description, std::string dm_name,
                        std::string uuid, std::string type, TableFn table);

/// "remove-dax-dm": daxd-VOL with the volume's own (DAX-capable) table is gone, so that the
/// name can carry a snapshot-origin table. Undo: created again with the volume's table.
Step remove_dax_dm_step(Volume const& v);

/// "freeze": the origin's filesystem is frozen (FIFREEZE); data: frozen_at_ms. Undo: thawed.
Step freeze_step(Volume const& v);

/// "copy": the volume's bytes are on the snapshot device, durable; data: bytes, elapsed_ms,
/// bandwidth (bytes per second). No undo: the device it wrote is removed by an earlier undo.
Step copy_step(Volume const& v, Snapshot const& s);

/// "thaw": the origin is thawed; stopped (since step `quiesce_index`) and frozen (since step
/// `freeze_index`) times go to the journal (record_times) and to its data (stopped_ms,
/// frozen_ms). The commit point of a copy.
Step thaw_step(Volume const& v, state::Journal& journal, int quiesce_index, int freeze_index);

/// "suspend-origin": daxd-VOL is suspended (dm lockfs freezes its filesystem); data:
/// suspended_at_ms. Undo: resumed.
Step suspend_origin_step(Volume const& v);

/// "resume-origin": daxd-VOL runs again; the time since step `suspend_index` is recorded as
/// stopped and frozen (journal and data).
Step resume_origin_step(Volume const& v, state::Journal& journal, int suspend_index);

/// The time the world stopped since step `index`'s `at_key` (a time in ms), recorded to the
/// journal with `frozen_ms`, and to `ctx.data` (stopped_ms, frozen_ms); -1 frozen: none.
void record_stop(state::Journal& journal, StepContext& ctx, int index, char const* at_key,
                 std::int64_t frozen_ms);

/// "record-snapshot": the snapshot is stored with operation_id and the times found in step
/// `times_index`'s data (stopped_ms, frozen_ms); with `suspend_dax` the volume is stored with
/// dax_capable false. Undo: forgotten, and the volume stored as `v` again.
Step record_snapshot_step(state::DesiredState& desired, state::Journal& journal, Volume const& v,
                          Snapshot const& s, int times_index, bool suspend_dax);

/// "mount-snapshot": the snapshot device is mounted read-only at s.mountpoint. Undo: unmounted.
Step mount_snapshot_step(Volume const& v, Snapshot const& s);

}  // namespace daxd::orchestrator::detail
