// SPDX-License-Identifier: Apache-2.0
// restore-snapshot: the volume's content becomes the snapshot's, and the snapshot is consumed
// (as lvconvert --merge does).
//
// cow: the snapshot's device is reloaded with snapshot-merge, which copies the COW store's
// chunks back onto the origin's real device. Once the merge has started the origin's data are
// changing and there is no way back: starting the merge is the commit point (it commits before
// it runs), and every later step (wait, remove the merge and COW devices, the DAX table back,
// mount, records) rolls forward safely after a crash: each finds its devices by name and skips
// what is done. Before it, everything is undone (the snapshot-origin and the mounts come back).
//
// copy: daxd-VOL's table is swapped for the copy's extents (DAX-capable to DAX-capable, so a
// reload is allowed), the copy's own device goes, and the volume's spec takes the copy's extents;
// the old extents are free again. Mounting the origin is the commit point.
#include "daemon/orchestrator/snapshot_ops.h"

#include <algorithm>
#include <charconv>

#include "daemon/orchestrator/snapshot_spec.h"
#include "daemon/orchestrator/snapshot_stack.h"
#include "daemon/orchestrator/volume_consumers.h"
#include "daemon/orchestrator/volume_spec.h"
#include "daemon/orchestrator/volume_steps.h"

namespace daxd::orchestrator::detail {
namespace {

using nlohmann::json;

constexpr int kQuiesceStep = 0;
constexpr std::chrono::milliseconds kMergePoll{20};

std::string verb_for(Snapshot const& s) { return "restore its snapshot '" + s.name + "'"; }

// Suspend, load, resume as one step: a failed reload resumes before it reports (invariant 3).
Result<Outcome> load_table(host::Host& host, Volume const& v, std::string const& dm_name,
                           std::vector<DmTarget> const& table, std::string const& verb) {
  DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(host, dm_name));
  if (!dm) return Fail(Errc::not_found, "volume '" + v.name + "': " + dm_name + " is gone");
  if (dm->table == table && !dm->suspended) return Outcome::unchanged;
  auto& mapper = host.device_mapper();
  if (!dm->suspended) {
    DAXD_TRY(require_no_dax_mapping(host, v, verb));
    DAXD_TRY(mapper.suspend(dm_name));
  }
  if (auto loaded = mapper.reload(dm_name, table); !loaded) {
    ignore_result(mapper.resume(dm_name));  // the reload's error is the one to report
    return Fail(std::move(loaded).error());
  }
  DAXD_TRY(mapper.resume(dm_name));
  return Outcome::changed;
}

// "<allocated>/<total> <metadata>": merged once allocated == metadata.
Result<bool> merged(std::string const& dm_name, std::string const& status) {
  for (auto const* bad : {"Merge failed", "Invalid", "Overflow"}) {
    if (status.find(bad) != std::string::npos) {
      return Fail(Errc::io_error, dm_name + ": the merge stopped: " + status);
    }
  }
  auto const slash = status.find('/');
  auto const space = status.find(' ', slash == std::string::npos ? 0 : slash);
  std::uint64_t allocated = 0;
  std::uint64_t metadata = 0;
  auto const* text = status.data();
  if (slash == std::string::npos || space == std::string::npos ||
      std::from_chars(text, text + slash, allocated).ec != std::errc() ||
      std::from_chars(text + space + 1, text + status.size(), metadata).ec != std::errc()) {
    return Fail(Errc::io_error, dm_name + ": unreadable snapshot-merge status '" + status + "'");
  }
  return allocated == metadata;
}

Step start_merge_step(Volume const& v, Snapshot const& s) {
  std::string const dm = snapshot_dm_name(v.name, s.name);
  Step step;
  step.name = "start-merge";
  step.description = "reload /dev/mapper/" + dm +
                     " with snapshot-merge (suspend, reload, "
                     "resume): the origin's data change from here on";
  step.commit_point = true;  // no undo: it commits before it runs
  step.run = [v, s, dm](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const found, find_dm(ctx.host, dm));
    if (!found) return Outcome::unchanged;  // merged and removed by a later step
    DAXD_ASSIGN_OR_RETURN(auto const table, cow_snapshot_table(ctx.host, v, s, /*merge=*/true));
    return load_table(ctx.host, snapshot_device(v, s), dm, table, "start the merge");
  };
  return step;
}

// The quiesce deadline bounds how long processes get to let go, not how long the kernel takes to
// copy the changed chunks back: a merge gets at least a minute, plus a second per 64 MiB of store
// (far slower than memory; TCG guests are that slow). Past the commit point either way.
std::chrono::milliseconds merge_bound(std::chrono::milliseconds deadline, Snapshot const& s) {
  auto const per_store = std::chrono::milliseconds(60'000 + s.store_size / (64ULL << 20) * 1000);
  return std::max(deadline, per_store);
}

Step wait_merge_step(Volume const& v, Snapshot const& s, std::chrono::milliseconds deadline) {
  std::string const dm = snapshot_dm_name(v.name, s.name);
  Step step;
  step.name = "wait-merge";
  step.description = "wait up to " + std::to_string(deadline.count()) + " ms for the merge of " +
                     dm + " (dm status)";
  step.run = [dm, deadline](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(bool const merging, dm_has_type(ctx.host, dm, "snapshot-merge"));
    if (!merging) {
      DAXD_ASSIGN_OR_RETURN(auto const found, find_dm(ctx.host, dm));
      if (!found) return Outcome::unchanged;  // removed once merged
      return Fail(Errc::internal, dm + ": not merging");
    }
    auto& clock = ctx.host.clock();
    auto const until = clock.now_steady() + deadline;
    while (true) {
      DAXD_ASSIGN_OR_RETURN(auto const status, ctx.host.device_mapper().status(dm));
      if (status.empty()) return Fail(Errc::io_error, dm + ": no status");
      DAXD_ASSIGN_OR_RETURN(bool const done, merged(dm, status.front()));
      if (done) {
        ctx.data["status"] = status.front();
        return Outcome::changed;
      }
      if (clock.now_steady() >= until) {
        return Fail(Errc::timeout, dm + ": the merge did not finish within " +
                                       std::to_string(deadline.count()) + " ms (" + status.front() +
                                       "); it goes on in the kernel");
      }
      clock.sleep_for(kMergePoll);
    }
  };
  return step;
}

void push_all(Plan& plan, std::vector<Step> steps) {
  for (auto& step : steps) plan.steps.push_back(std::move(step));
}

// Mount (when the volume has one), records, resume: the end both methods share.
void finish_plan(Plan& plan, state::DesiredState& desired, state::Journal& journal, Hooks* hooks,
                 QuiesceRequest const& q, Volume const& v, Volume const& after, Snapshot const& s,
                 bool mount_commits) {
  if (v.filesystem != FsType::none && !v.mountpoint.empty()) {
    Step mount = mount_step(v, v.dax, [&journal](StepContext& ctx) {
      record_stopped_time(journal, ctx, kQuiesceStep);
    });
    mount.commit_point = mount_commits;
    plan.steps.push_back(std::move(mount));
  }
  Step record = record_volume_step(desired, after, v);
  record.commit_point = mount_commits;  // a no-op when the mount committed already
  plan.steps.push_back(std::move(record));
  plan.steps.push_back(forget_snapshot_step(desired, s));
  if (hooks != nullptr) {
    plan.steps.push_back(resume_hooks_step(v, q, *hooks, journal, kQuiesceStep));
  }
}

Plan plan_cow(state::DesiredState& desired, state::Journal& journal, Hooks* hooks, json const& r,
              Volume const& v, Snapshot const& s) {
  Plan plan{kRestoreSnapshot, "snapshot/" + v.name + "@" + s.name, {"volume/" + v.name}, {}, {}};
  auto const q = quiesce_request(r, v, verb_for(s), /*dax_off=*/false);
  plan.steps.push_back(quiesce_step(v, q, hooks));
  if (v.filesystem != FsType::none && !v.mountpoint.empty()) {
    plan.steps.push_back(unmount_step(v, DaxMode::never));
  }
  plan.steps.push_back(unmount_snapshot_step(v, s));
  plan.steps.push_back(remove_origin_step(v, {s}));  // the snapshot-origin goes before a merge
  plan.steps.push_back(start_merge_step(v, s));
  plan.steps.push_back(wait_merge_step(v, s, merge_bound(q.deadline, s)));
  std::string const snap = snapshot_dm_name(v.name, s.name);
  plan.steps.push_back(
      remove_stack_dm_step("remove-merge", snap, "remove /dev/mapper/" + snap + " (merged)"));
  std::string const cow = snapshot_cow_dm_name(v.name, s.name);
  plan.steps.push_back(remove_stack_dm_step("remove-cow", cow, "remove /dev/mapper/" + cow));
  auto rest = cow_stack_to_dax_steps(v, {});
  rest.erase(rest.begin());  // its remove-origin: done before the merge already
  push_all(plan, std::move(rest));
  Volume after = v;
  after.dax_capable = true;
  finish_plan(plan, desired, journal, hooks, q, v, after, s, /*mount_commits=*/false);
  plan.notes.push_back("the merge cannot be undone once it has started");
  plan.notes.push_back("the filesystem is unmounted until the merge ends; DAX comes back");
  return plan;
}

Step swap_step(Volume const& v, Snapshot const& s) {
  Step step;
  step.name = "swap-table";
  step.description = "load the copy's extents into " + volume_node(v) +
                     " (suspend, reload, "
                     "resume; DAX-capable to DAX-capable)";
  step.run = [v, s](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const table, store_table(ctx.host, s));
    return load_table(ctx.host, v, v.dm_name, table, "swap in the copy");
  };
  step.undo = [v](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const table, volume_table(ctx.host, v));
    return load_table(ctx.host, v, v.dm_name, table, "swap back its own extents");
  };
  return step;
}

Plan plan_copy(state::DesiredState& desired, state::Journal& journal, Hooks* hooks, json const& r,
               Volume const& v, Snapshot const& s) {
  Plan plan{kRestoreSnapshot, "snapshot/" + v.name + "@" + s.name, {"volume/" + v.name}, {}, {}};
  for (auto const& x : s.extents) plan.resources.push_back("namespace/" + x.namespace_name);
  auto const q = quiesce_request(r, v, verb_for(s), /*dax_off=*/false);
  plan.steps.push_back(quiesce_step(v, q, hooks));
  if (v.filesystem != FsType::none && !v.mountpoint.empty()) {
    plan.steps.push_back(unmount_step(v, v.dax));
  }
  plan.steps.push_back(unmount_snapshot_step(v, s));
  plan.steps.push_back(swap_step(v, s));
  std::string const snap = snapshot_dm_name(v.name, s.name);
  plan.steps.push_back(remove_stack_dm_step("remove-snapshot", snap, "remove /dev/mapper/" + snap,
                                            [s](host::Host& h) { return store_table(h, s); }));
  Volume after = v;
  after.layout = VolumeLayout::linear;
  after.stripe_size = 0;
  after.extents = s.extents;
  after.size = 0;
  for (auto const& x : s.extents) after.size += x.length;
  after.dax_capable = true;
  finish_plan(plan, desired, journal, hooks, q, v, after, s, /*mount_commits=*/true);
  plan.notes.push_back("the volume moves onto the copy's extents; its old extents are free again");
  return plan;
}

Result<Plan> plan_restore(state::DesiredState& desired, state::Journal& journal, Hooks* hooks,
                          json const& r) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  DAXD_ASSIGN_OR_RETURN(Snapshot const s, request_snapshot(r));
  switch (s.method) {
    case SnapshotMethod::cow:
      return plan_cow(desired, journal, hooks, r, v, s);
    case SnapshotMethod::copy:
      return plan_copy(desired, journal, hooks, r, v, s);
  }
  return Fail(Errc::internal, "unknown snapshot method");
}

std::string names_of(std::vector<Snapshot> const& all) {
  std::string out;
  for (auto const& x : all) out += (out.empty() ? "'" : ", '") + x.name + "'";
  return out;
}

Result<void> preflight_restore(state::DesiredState& desired, Hooks* hooks, json const& r,
                               host::Host& host) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  DAXD_ASSIGN_OR_RETURN(Snapshot const s, request_snapshot(r));
  DAXD_ASSIGN_OR_RETURN(auto others, other_snapshots(desired, v.name, s.name));
  if (s.method == SnapshotMethod::copy) {
    std::erase_if(others, [](Snapshot const& o) { return o.method != SnapshotMethod::cow; });
  }
  if (!others.empty()) {
    return Fail(Errc::conflict, "volume '" + v.name + "': cannot " + verb_for(s) +
                                    ": destroy its other " +
                                    (s.method == SnapshotMethod::cow ? "" : "cow ") +
                                    "snapshots first (" + names_of(others) + ")");
  }
  if (!s.mountpoint.empty()) {
    DAXD_TRY(require_no_processes(host, snapshot_device(v, s), verb_for(s)));
  }
  DAXD_ASSIGN_OR_RETURN(auto const all, volume_consumers(host, v));
  auto q = quiesce_request(r, v, verb_for(s), /*dax_off=*/false);
  DAXD_TRY(note_hooks(q, hooks));
  return check_quiesce(q, all);
}

}  // namespace

OperationType restore_snapshot_type(state::DesiredState& desired, state::Journal& journal,
                                    Hooks* hooks) {
  return OperationType{kRestoreSnapshot,
                       [&desired, &journal, hooks](json const& r) {
                         return plan_restore(desired, journal, hooks, r);
                       },
                       [&desired, hooks](json const& r, host::Host& host) {
                         return preflight_restore(desired, hooks, r, host);
                       }};
}

}  // namespace daxd::orchestrator::detail
