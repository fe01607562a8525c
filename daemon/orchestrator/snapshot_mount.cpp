// SPDX-License-Identifier: Apache-2.0
// mount-snapshot: the snapshot's device mounted read-only at a mountpoint, or unmounted ("").
// The mount options a point-in-time image of a mounted filesystem needs (xfs nouuid and
// norecovery, ext4 noload) are the host's business (Filesystems::mount_read_only).
#include "daemon/orchestrator/snapshot_ops.h"

#include "daemon/orchestrator/snapshot_spec.h"
#include "daemon/orchestrator/snapshot_stack.h"
#include "daemon/orchestrator/volume_spec.h"
#include "daemon/orchestrator/volume_steps.h"

namespace daxd::orchestrator::detail {
namespace {

using nlohmann::json;

Step record_snapshot_step(state::DesiredState& desired, Snapshot const& s,
                          Snapshot const& previous) {
  Step step;
  step.name = "record-snapshot";
  step.description = s.mountpoint.empty()
                         ? "record snapshot '" + s.name + "' as not mounted"
                         : "record snapshot '" + s.name + "' as mounted at " + s.mountpoint;
  step.commit_point = true;
  step.run = [&desired, s](StepContext&) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(bool const changed, put_snapshot_record(desired, s));
    return changed ? Outcome::changed : Outcome::unchanged;
  };
  step.undo = [&desired, previous](StepContext&) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(bool const changed, put_snapshot_record(desired, previous));
    return changed ? Outcome::changed : Outcome::unchanged;
  };
  return step;
}

Result<Plan> plan_mount(state::DesiredState& desired, json const& r) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  DAXD_ASSIGN_OR_RETURN(Snapshot const s, request_snapshot(r));
  DAXD_ASSIGN_OR_RETURN(std::string const to, optional_string(r, "mountpoint", ""));
  Plan plan{kMountSnapshot, "snapshot/" + v.name + "@" + s.name, {"volume/" + v.name}, {}, {}};
  if (to == s.mountpoint) {
    plan.notes.push_back(to.empty() ? "snapshot '" + s.name + "' is not mounted"
                                    : "snapshot '" + s.name + "' is mounted at " + to);
    // Still make sure of it: the mount may have gone behind daxd's back.
    if (!to.empty()) plan.steps.push_back(mount_read_only_step(v, s, to));
    return plan;
  }
  if (!s.mountpoint.empty()) plan.steps.push_back(unmount_snapshot_step(v, s));
  if (!to.empty()) plan.steps.push_back(mount_read_only_step(v, s, to));
  Snapshot changed = s;
  changed.mountpoint = to;
  plan.steps.push_back(record_snapshot_step(desired, changed, s));
  if (!to.empty()) plan.notes.push_back("read-only, dax=never: the snapshot is not modified");
  return plan;
}

Result<void> preflight_mount(json const& r, host::Host& host) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  DAXD_ASSIGN_OR_RETURN(Snapshot const s, request_snapshot(r));
  DAXD_ASSIGN_OR_RETURN(std::string const to, optional_string(r, "mountpoint", ""));
  if (to == s.mountpoint) return Ok();
  if (!s.mountpoint.empty()) {
    DAXD_TRY(require_no_processes(host, snapshot_device(v, s), "unmount " + s.mountpoint));
  }
  if (to.empty()) return Ok();
  DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(host, snapshot_dm_name(v.name, s.name)));
  if (!dm) {
    return Fail(Errc::conflict, "snapshot '" + s.name + "' of volume '" + v.name +
                                    "': its device is gone: nothing to mount");
  }
  DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(host, to));
  if (m) return Fail(Errc::busy, to + ": " + m->source + " is already mounted there");
  return Ok();
}

}  // namespace

OperationType mount_snapshot_type(state::DesiredState& desired) {
  return OperationType{kMountSnapshot, [&desired](json const& r) { return plan_mount(desired, r); },
                       preflight_mount};
}

}  // namespace daxd::orchestrator::detail
