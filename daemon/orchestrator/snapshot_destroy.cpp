// SPDX-License-Identifier: Apache-2.0
// destroy-snapshot. A copy is a device of its own: it goes without stopping anything. A cow
// snapshot that is not the volume's last goes while the origin runs (the kernel unregisters a
// snapshot from its origin in the snapshot's destructor, waiting for pending exceptions), but
// once its device is gone the origin's writes no longer preserve its data: the removal commits.
// The last cow snapshot stops the world again: the cow stack goes and daxd-VOL comes back with
// its DAX-capable table and the volume's dax mount.
#include "daemon/orchestrator/snapshot_ops.h"

#include <algorithm>

#include "daemon/orchestrator/snapshot_spec.h"
#include "daemon/orchestrator/snapshot_stack.h"
#include "daemon/orchestrator/volume_consumers.h"
#include "daemon/orchestrator/volume_spec.h"
#include "daemon/orchestrator/volume_steps.h"

namespace daxd::orchestrator::detail {
namespace {

using nlohmann::json;

constexpr int kQuiesceStep = 0;  // the last-cow plan stops the world in its first step

std::string verb_for(Snapshot const& s) { return "destroy its snapshot '" + s.name + "'"; }

bool any_cow(std::vector<Snapshot> const& all) {
  return std::any_of(all.begin(), all.end(),
                     [](Snapshot const& o) { return o.method == SnapshotMethod::cow; });
}

Plan base_plan(Volume const& v, Snapshot const& s) {
  Plan plan{kDestroySnapshot, "snapshot/" + v.name + "@" + s.name, {"volume/" + v.name}, {}, {}};
  for (auto const& x : s.extents) plan.resources.push_back("namespace/" + x.namespace_name);
  return plan;
}

Step remove_snapshot_dm(Volume const& v, Snapshot const& s, StackTable undo_table) {
  std::string const dm = snapshot_dm_name(v.name, s.name);
  return remove_stack_dm_step("remove-snapshot", dm, "remove /dev/mapper/" + dm,
                              std::move(undo_table));
}

Step remove_cow_dm(Volume const& v, Snapshot const& s, StackTable undo_table) {
  std::string const dm = snapshot_cow_dm_name(v.name, s.name);
  return remove_stack_dm_step("remove-cow", dm, "remove /dev/mapper/" + dm + " (the COW store)",
                              std::move(undo_table));
}

Plan plan_copy(state::DesiredState& desired, Volume const& v, Snapshot const& s) {
  Plan plan = base_plan(v, s);
  plan.steps.push_back(unmount_snapshot_step(v, s));
  plan.steps.push_back(remove_snapshot_dm(v, s, [s](host::Host& h) { return store_table(h, s); }));
  Step forget = forget_snapshot_step(desired, s);
  forget.commit_point = true;
  plan.steps.push_back(std::move(forget));
  plan.notes.push_back("the origin keeps running; the copy's extents are free again");
  return plan;
}

Plan plan_cow_not_last(state::DesiredState& desired, Volume const& v, Snapshot const& s) {
  Plan plan = base_plan(v, s);
  plan.steps.push_back(unmount_snapshot_step(v, s));
  plan.steps.push_back(remove_snapshot_dm(v, s, {}));  // commits: see the file's comment
  plan.steps.push_back(remove_cow_dm(v, s, {}));
  plan.steps.push_back(forget_snapshot_step(desired, s));
  plan.notes.push_back(
      "the origin keeps running; DAX stays suspended while other cow "
      "snapshots of volume '" +
      v.name + "' exist");
  return plan;
}

Plan plan_cow_last(state::DesiredState& desired, state::Journal& journal, Hooks* hooks,
                   json const& r, Volume const& v, Snapshot const& s) {
  Plan plan = base_plan(v, s);
  auto const q = quiesce_request(r, v, verb_for(s), /*dax_off=*/false);
  bool const mounted = v.filesystem != FsType::none && !v.mountpoint.empty();
  plan.steps.push_back(quiesce_step(v, q, hooks));
  if (mounted) plan.steps.push_back(unmount_step(v, DaxMode::never));
  plan.steps.push_back(unmount_snapshot_step(v, s));
  // The origin is unmounted and quiesced: nothing writes, so the persistent snapshot can be
  // rebuilt from its store until the commit point.
  plan.steps.push_back(
      remove_snapshot_dm(v, s, [v, s](host::Host& h) { return cow_snapshot_table(h, v, s); }));
  plan.steps.push_back(remove_cow_dm(v, s, [s](host::Host& h) { return store_table(h, s); }));
  for (auto& step : cow_stack_to_dax_steps(v, {})) plan.steps.push_back(std::move(step));
  Volume back = v;
  back.dax_capable = true;
  Step record = record_volume_step(desired, back, v);
  if (mounted) {
    Step mount = mount_step(v, v.dax, [&journal](StepContext& ctx) {
      record_stopped_time(journal, ctx, kQuiesceStep);
    });
    mount.commit_point = true;  // DAX is live again: recovery finishes the change
    plan.steps.push_back(std::move(mount));
  } else {
    record.commit_point = true;
  }
  plan.steps.push_back(std::move(record));
  plan.steps.push_back(forget_snapshot_step(desired, s));
  if (hooks != nullptr) {
    plan.steps.push_back(resume_hooks_step(v, q, *hooks, journal, kQuiesceStep));
  }
  plan.notes.push_back("the last cow snapshot of volume '" + v.name +
                       "': the filesystem is unmounted while DAX comes back");
  return plan;
}

Result<Plan> plan_destroy(state::DesiredState& desired, state::Journal& journal, Hooks* hooks,
                          json const& r) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  DAXD_ASSIGN_OR_RETURN(Snapshot const s, request_snapshot(r));
  switch (s.method) {
    case SnapshotMethod::copy:
      return plan_copy(desired, v, s);
    case SnapshotMethod::cow:
      break;
  }
  DAXD_ASSIGN_OR_RETURN(auto const others, request_others(desired, r, v.name, s.name));
  if (any_cow(others)) return plan_cow_not_last(desired, v, s);
  return plan_cow_last(desired, journal, hooks, r, v, s);
}

Result<void> preflight_destroy(state::DesiredState& desired, Hooks* hooks, json const& r,
                               host::Host& host) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  DAXD_ASSIGN_OR_RETURN(Snapshot const s, request_snapshot(r));
  if (!s.mountpoint.empty()) {
    DAXD_TRY(require_no_processes(host, snapshot_device(v, s), verb_for(s)));
  }
  if (s.method == SnapshotMethod::copy) return Ok();
  DAXD_ASSIGN_OR_RETURN(auto const asked, request_others(desired, r, v.name, s.name));
  DAXD_ASSIGN_OR_RETURN(auto const now, other_snapshots(desired, v.name, s.name));
  bool const last = !any_cow(now);
  if (last != !any_cow(asked)) {
    // The plan follows the request: it must not tear the cow stack down under a new snapshot.
    return Fail(Errc::conflict, "volume '" + v.name +
                                    "': its snapshots changed since the "
                                    "request was made: ask again");
  }
  if (!last) return Ok();
  DAXD_ASSIGN_OR_RETURN(auto const all, volume_consumers(host, v));
  auto q = quiesce_request(r, v, verb_for(s), /*dax_off=*/false);
  DAXD_TRY(note_hooks(q, hooks));
  return check_quiesce(q, all);
}

}  // namespace

OperationType destroy_snapshot_type(state::DesiredState& desired, state::Journal& journal,
                                    Hooks* hooks) {
  return OperationType{kDestroySnapshot,
                       [&desired, &journal, hooks](json const& r) {
                         return plan_destroy(desired, journal, hooks, r);
                       },
                       [&desired, hooks](json const& r, host::Host& host) {
                         return preflight_destroy(desired, hooks, r, host);
                       }};
}

}  // namespace daxd::orchestrator::detail
