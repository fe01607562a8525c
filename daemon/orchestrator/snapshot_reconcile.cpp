// SPDX-License-Identifier: Apache-2.0
// The kernel forgets dm tables and mounts at reboot; the snapshot stacks are rebuilt from the
// desired state, each device from its first load, in the order the tables refer to each other.
// The COW stores are persistent, so a re-created snapshot shows what it showed before.
#include "daemon/orchestrator/snapshot_reconcile.h"

#include <algorithm>

#include "daemon/orchestrator/snapshot_spec.h"
#include "daemon/orchestrator/snapshot_stack.h"
#include "daemon/orchestrator/volume_spec.h"
#include "daemon/orchestrator/volume_steps.h"

namespace daxd::orchestrator {
namespace {

using nlohmann::json;

bool has_cow(std::vector<Snapshot> const& all) {
  return std::any_of(all.begin(), all.end(),
                     [](Snapshot const& s) { return s.method == SnapshotMethod::cow; });
}

bool mounted_volume(Volume const& v) {
  return v.filesystem != FsType::none && !v.mountpoint.empty();
}

void add_cow_stack(Plan& plan, Volume const& v, std::vector<Snapshot> const& snaps) {
  std::string const real = origin_real_dm_name(v.name);
  Step first = create_stack_dm_step("create-real", real, "create /dev/mapper/" + real,
                                    [v](host::Host& h) { return volume_table(h, v); });
  first.commit_point = true;
  plan.steps.push_back(std::move(first));
  for (auto const& s : snaps) {
    if (s.method != SnapshotMethod::cow) continue;
    std::string const cow = snapshot_cow_dm_name(v.name, s.name);
    std::string const dm = snapshot_dm_name(v.name, s.name);
    plan.steps.push_back(create_stack_dm_step("create-cow", cow, "create /dev/mapper/" + cow,
                                              [s](host::Host& h) { return store_table(h, s); }));
    plan.steps.push_back(create_stack_dm_step(
        "create-snapshot", dm, "create /dev/mapper/" + dm + " (persistent snapshot)",
        [v, s](host::Host& h) { return cow_snapshot_table(h, v, s); }));
  }
  Step origin;
  origin.name = "create-origin";
  origin.description = "create " + volume_node(v) + " as snapshot-origin (DAX stays suspended)";
  origin.run = [v](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, v.dm_name));
    if (dm) return Outcome::unchanged;
    DAXD_ASSIGN_OR_RETURN(auto const table, origin_table(ctx.host, v));
    DAXD_TRY(ctx.host.device_mapper().create(v.dm_name, volume_uuid(v), table));
    return Outcome::changed;
  };
  plan.steps.push_back(std::move(origin));
  if (mounted_volume(v)) plan.steps.push_back(mount_step(v, DaxMode::never));
}

Result<Plan> plan_reconcile(json const& r) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  std::vector<Snapshot> snaps;
  if (auto const it = r.find("snapshots"); it != r.end() && it->is_array()) {
    for (auto const& spec : *it) {
      DAXD_ASSIGN_OR_RETURN(Snapshot s, request_snapshot(json{{"snapshot", spec}}));
      snaps.push_back(std::move(s));
    }
  }
  Plan plan{kReconcileSnapshots, "volume/" + v.name, {"volume/" + v.name}, {}, {}};
  for (auto const& x : v.extents) plan.resources.push_back("namespace/" + x.namespace_name);
  if (has_cow(snaps)) {
    add_cow_stack(plan, v, snaps);
  } else {
    Step create = create_dm_step(v);
    create.commit_point = true;
    plan.steps.push_back(std::move(create));
    if (mounted_volume(v)) plan.steps.push_back(mount_step(v, v.dax));
  }
  for (auto const& s : snaps) {
    if (s.method != SnapshotMethod::copy) continue;
    std::string const dm = snapshot_dm_name(v.name, s.name);
    plan.steps.push_back(create_stack_dm_step("create-copy", dm,
                                              "create /dev/mapper/" + dm + " (DAX-capable copy)",
                                              [s](host::Host& h) { return store_table(h, s); }));
  }
  for (auto const& s : snaps) {
    if (!s.mountpoint.empty()) plan.steps.push_back(mount_read_only_step(v, s, s.mountpoint));
  }
  plan.notes.push_back("brings back the volume's snapshot stack; the data are not touched");
  return plan;
}

// What is missing: the actions the reconcile takes (empty when everything is in place).
Result<std::vector<std::string>> missing(host::Host& host, Volume const& v,
                                         std::vector<Snapshot> const& snaps) {
  std::vector<std::string> out;
  std::vector<std::string> names{v.dm_name};
  if (has_cow(snaps)) names.push_back(origin_real_dm_name(v.name));
  for (auto const& s : snaps) {
    names.push_back(snapshot_dm_name(v.name, s.name));
    if (s.method == SnapshotMethod::cow) names.push_back(snapshot_cow_dm_name(v.name, s.name));
  }
  for (auto const& n : names) {
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(host, n));
    if (!dm) out.push_back("create " + n);
  }
  std::vector<std::pair<std::string, std::string>> mounts;  // target, source
  if (mounted_volume(v)) mounts.emplace_back(v.mountpoint, volume_node(v));
  for (auto const& s : snaps) {
    if (!s.mountpoint.empty())
      mounts.emplace_back(s.mountpoint, volume_node(snapshot_device(v, s)));
  }
  for (auto const& [target, source] : mounts) {
    DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(host, target));
    if (!m || m->source != source) out.push_back("mount " + target);
  }
  return out;
}

}  // namespace

void register_snapshot_reconcile_operation(Orchestrator& o) {
  o.register_type({kReconcileSnapshots, plan_reconcile, {}});
}

Result<bool> reconcile_volume_snapshots(Orchestrator& o, host::Host& host,
                                        state::DesiredState& desired, EventSink& events,
                                        Volume const& v, std::chrono::milliseconds timeout,
                                        ReconcileReport& report) {
  DAXD_ASSIGN_OR_RETURN(auto const snaps, desired_snapshots(desired, v.name));
  if (snaps.empty()) return false;
  DAXD_ASSIGN_OR_RETURN(Volume const stored, desired_volume(desired, v.name));
  DAXD_ASSIGN_OR_RETURN(bool const dax_origin, dm_has_type(host, v.dm_name, "linear"));
  DAXD_ASSIGN_OR_RETURN(bool const dax_striped, dm_has_type(host, v.dm_name, "striped"));
  if (has_cow(snaps) && (dax_origin || dax_striped)) {
    // Not rebuildable without stopping the world: say so and leave it.
    report.messages.push_back("volume '" + v.name + "' has cow snapshots but " + v.dm_name +
                              " carries its DAX table: destroy or restore its snapshots");
    ++report.failed;
    return true;
  }
  for (auto const& s : snaps) {
    DAXD_ASSIGN_OR_RETURN(bool const merging,
                          dm_has_type(host, snapshot_dm_name(v.name, s.name), "snapshot-merge"));
    if (!merging) continue;
    // A restore passed its commit point and stopped (its merge wait ran out): only it can end
    // the merge; a snapshot-origin must not come back over a merging origin.
    report.messages.push_back("volume '" + v.name + "': snapshot '" + s.name +
                              "' is merging: run restore-snapshot again to finish it");
    ++report.failed;
    return true;
  }
  DAXD_ASSIGN_OR_RETURN(auto const actions, missing(host, stored, snaps));
  if (actions.empty()) {
    ++report.unchanged;
    return true;
  }
  json specs = json::array();
  for (auto const& s : snaps) specs.push_back(snapshot_spec(s));
  json const request{
      {"name", v.name}, {"volume", stored_volume_spec(stored)}, {"snapshots", specs}};
  auto sub = o.submit(kReconcileSnapshots, request);
  if (!sub) {
    report.messages.push_back("volume '" + v.name +
                              "': cannot bring back its snapshots: " + sub.error().message);
    ++report.failed;
    return true;
  }
  auto done = o.wait(sub->operation.id, timeout);
  Operation const op = done ? *done : sub->operation;
  events.publish(Event{"volume-reconciled",
                       "volume/" + v.name,
                       {{"volume", v.name},
                        {"operation", op.id},
                        {"state", to_string(op.state)},
                        {"actions", actions}}});
  bool const ok = op.state == OperationState::completed;
  report.messages.push_back(
      "volume '" + v.name + "': snapshots: " + actions.front() +
      (actions.size() > 1 ? " and " + std::to_string(actions.size() - 1) + " more" : "") +
      " (operation " + std::to_string(op.id) + " " + std::string(to_string(op.state)) +
      (op.error.empty() ? "" : ": " + op.error) + ")");
  ++(ok ? report.restored : report.failed);
  return true;
}

}  // namespace daxd::orchestrator
