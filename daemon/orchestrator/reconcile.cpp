// SPDX-License-Identifier: Apache-2.0
// Reconcile: the kernel forgets dm tables and mounts at reboot; daxd's desired state does not.
#include "daemon/orchestrator/reconcile.h"

#include <algorithm>

#include "daemon/model/json.h"
#include "daemon/orchestrator/snapshot_reconcile.h"
#include "daemon/orchestrator/volume_spec.h"
#include "daemon/orchestrator/volume_steps.h"
#include "daemon/orchestrator/volume_view.h"

namespace daxd::orchestrator {
namespace {

using nlohmann::json;

Result<Plan> plan_reconcile(json const& r) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  Plan plan{kReconcileVolume, "volume/" + v.name, {"volume/" + v.name}, {}, {}};
  for (auto const& x : v.extents) plan.resources.push_back("namespace/" + x.namespace_name);
  Step create = create_dm_step(v);
  create.commit_point = true;
  plan.steps.push_back(std::move(create));
  if (v.filesystem != FsType::none && !v.mountpoint.empty()) {
    plan.steps.push_back(mount_step(v, v.dax));
  }
  plan.notes.push_back("brings back what daxd's desired state has; the data are not touched");
  return plan;
}

void publish_failed(EventSink& events, Volume const& v, std::string const& device) {
  events.publish(Event{"volume-failed",
                       "volume/" + v.name,
                       {{"volume", v.name}, {"reason", v.reason}, {"device", device}}});
}

// The device a failed volume lost: the namespace named in its reason, or the table's word.
std::string lost_device(Volume const& v) {
  auto const q1 = v.reason.find('\'');
  if (v.reason.rfind("namespace '", 0) == 0 && q1 != std::string::npos) {
    auto const q2 = v.reason.find('\'', q1 + 1);
    if (q2 != std::string::npos) return v.reason.substr(q1 + 1, q2 - q1 - 1);
  }
  auto const refers = v.reason.find("refers to ");
  if (refers != std::string::npos) {
    auto const start = refers + 10;
    return v.reason.substr(start, v.reason.find(',', start) - start);
  }
  return v.dm_name;
}

struct Needs {
  bool table = false;
  bool mount = false;
  std::vector<std::string> actions() const {
    std::vector<std::string> out;
    if (table) out.emplace_back("create-dm");
    if (mount) out.emplace_back("mount");
    return out;
  }
};

// Runs reconcile-volume for `v` and reports it; returns whether it completed.
bool run_reconcile(Orchestrator& o, EventSink& events, Volume const& v, Needs needs,
                   std::chrono::milliseconds timeout, ReconcileReport& report) {
  std::string const what = needs.table ? "re-create " + volume_node(v) : "";
  std::string const mount = needs.mount ? "mount it at " + v.mountpoint + " with dax=" +
                                              std::string(to_string(v.dax))
                                        : "";
  std::string const both = what + (what.empty() || mount.empty() ? "" : ", ") + mount;
  auto sub = o.submit(kReconcileVolume, json{{"name", v.name}, {"volume", volume_spec(v)}});
  if (!sub) {
    report.messages.push_back("volume '" + v.name + "': cannot " + both + ": " +
                              sub.error().message);
    return false;
  }
  auto done = o.wait(sub->operation.id, timeout);
  Operation const op = done ? *done : sub->operation;
  std::string const id = std::to_string(op.id);
  events.publish(Event{"volume-reconciled",
                       "volume/" + v.name,
                       {{"volume", v.name},
                        {"operation", op.id},
                        {"state", to_string(op.state)},
                        {"actions", needs.actions()}}});
  if (op.state == OperationState::completed) {
    report.messages.push_back("volume '" + v.name + "': " + both + " (operation " + id + ")");
    return true;
  }
  report.messages.push_back("volume '" + v.name + "': " + both + ": operation " + id + " " +
                            std::string(to_string(op.state)) +
                            (op.error.empty() ? "" : ": " + op.error));
  return false;
}

}  // namespace

void register_reconcile_operation(Orchestrator& o) {
  o.register_type({kReconcileVolume, plan_reconcile, {}});
  register_snapshot_reconcile_operation(o);
}

Result<ReconcileReport> reconcile_volumes(Orchestrator& o, host::Host& host,
                                          state::DesiredState& desired, EventSink& events,
                                          std::chrono::milliseconds per_volume) {
  DAXD_ASSIGN_OR_RETURN(auto const specs, desired_volumes(desired));
  DAXD_ASSIGN_OR_RETURN(auto const dms, host.device_mapper().list_devices());
  DAXD_ASSIGN_OR_RETURN(auto const mounts, host.filesystems().list_mounts());
  DAXD_ASSIGN_OR_RETURN(auto const namespaces, host.nvdimm().list_namespaces());
  auto const plain = build_volume_view(specs, dms, mounts);
  auto const full = build_volume_view(specs, dms, mounts, namespaces);
  ReconcileReport report;
  for (std::size_t i = 0; i < full.size(); ++i) {
    Volume const& v = full[i];
    bool const dm_missing = v.blockdev.empty();
    // Failed for another reason than its missing device: nothing daxd can rebuild on.
    bool const lost = v.state == VolumeState::failed &&
                      (!dm_missing || plain[i].state != VolumeState::failed ||
                       v.reason != plain[i].reason);
    if (lost) {
      publish_failed(events, v, lost_device(v));
      report.messages.push_back("volume '" + v.name + "' failed: " + v.reason);
      ++report.failed;
      continue;
    }
    // A volume with snapshots is rebuilt with its snapshot stack (never as a DAX linear device
    // while it has cow snapshots).
    DAXD_ASSIGN_OR_RETURN(bool const stacked,
                          reconcile_volume_snapshots(o, host, desired, events, v, per_volume,
                                                     report));
    if (stacked) continue;
    Needs const needs{dm_missing, v.filesystem != FsType::none && !v.mountpoint.empty() &&
                                      (dm_missing || v.state == VolumeState::unmounted)};
    if (!needs.table && !needs.mount) {
      if (v.state == VolumeState::degraded) {
        report.messages.push_back("volume '" + v.name + "' is degraded: " + v.reason);
      }
      ++report.unchanged;
      continue;
    }
    if (run_reconcile(o, events, v, needs, per_volume, report)) {
      ++report.restored;
    } else {
      ++report.failed;
    }
  }
  return report;
}

}  // namespace daxd::orchestrator
