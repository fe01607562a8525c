// SPDX-License-Identifier: Apache-2.0
// create-snapshot: copy (quiesce MAP_SYNC users, freeze, copy, thaw) or cow (the first one
// stops the world to rebuild daxd-VOL as a snapshot-origin; later ones only suspend it). Plans
// are pure functions of the normalised request, which says whether a cow stack existed then.
#include "daemon/orchestrator/snapshot_ops.h"

#include <algorithm>

#include "daemon/orchestrator/snapshot_spec.h"
#include "daemon/orchestrator/snapshot_steps.h"
#include "daemon/orchestrator/snapshot_validate.h"
#include "daemon/orchestrator/volume_consumers.h"
#include "daemon/orchestrator/volume_spec.h"
#include "daemon/orchestrator/volume_steps.h"

namespace daxd::orchestrator::detail {
namespace {

using nlohmann::json;

constexpr int kQuiesceStep = 0;  // copy and first cow: where the world stopped

std::string node_of(std::string const& dm_name) { return "/dev/mapper/" + dm_name; }

struct Request {
  Volume volume;
  Snapshot snapshot;
  bool cow_stack = false;  // the volume had a cow snapshot when the request was made
  std::string reason;
  std::int64_t expected_stop_ms = 0;
};

Result<Request> read_request(json const& r) {
  Request q;
  DAXD_ASSIGN_OR_RETURN(q.volume, request_volume(r));
  DAXD_ASSIGN_OR_RETURN(q.snapshot, request_snapshot(r));
  q.cow_stack = r.value("cow_stack", false);
  q.reason = r.value("method_reason", "");
  q.expected_stop_ms = r.value("expected_stop_ms", std::int64_t{0});
  return q;
}

Plan empty_plan(Request const& q) {
  Plan plan{kCreateSnapshot, "snapshot/" + q.volume.name + "@" + q.snapshot.name, {}, {}, {}};
  plan.resources = {"volume/" + q.volume.name, plan.target};
  for (auto const& x : q.volume.extents) plan.resources.push_back("namespace/" + x.namespace_name);
  for (auto const& x : q.snapshot.extents) {
    std::string const ns = "namespace/" + x.namespace_name;
    if (std::find(plan.resources.begin(), plan.resources.end(), ns) == plan.resources.end()) {
      plan.resources.push_back(ns);
    }
  }
  plan.notes.push_back("method_reason: " + q.reason);
  plan.notes.push_back("expected_stop_ms: " + std::to_string(q.expected_stop_ms));
  return plan;
}

Step snapshot_device_step(Volume const& v, Snapshot const& s) {
  if (s.method == SnapshotMethod::copy) {
    return create_device_step(
        "create-snapshot-dm",
        "create " + node_of(s.dm_name) + " (linear over the store, DAX-capable)", s.dm_name,
        snapshot_dm_uuid(s.dm_name), "linear",
        [s](host::Host& h) { return store_table(h, s); });
  }
  return create_device_step(
      "create-snapshot-dm", "create " + node_of(s.dm_name) + " (snapshot, persistent, 4 KiB chunks)",
      s.dm_name, snapshot_dm_uuid(s.dm_name), "snapshot",
      [v, s](host::Host& h) { return cow_snapshot_table(h, v, s); });
}

Step cow_store_step(Snapshot const& s) {
  std::string const cow = snapshot_cow_dm_name(s.volume, s.name);
  return create_device_step("create-cow", "create " + node_of(cow) + " (the COW store, " +
                                              std::to_string(s.store_size) + " bytes)",
                            cow, snapshot_dm_uuid(cow), "linear",
                            [s](host::Host& h) { return store_table(h, s); });
}

// The kernel reloads the exceptions of an old store and refuses a header that is neither zero
// nor its own (an xfs superblock: "Failed to read snapshot metadata"), so a new store starts
// zeroed. Never once the snapshot device exists: the store then holds its live exceptions.
constexpr std::uint64_t kCowHeaderBytes = 1ULL << 20;

Step zero_cow_step(Snapshot const& s) {
  std::string const cow = snapshot_cow_dm_name(s.volume, s.name);
  Step step;
  step.name = "zero-cow";
  step.description = "zero the first MiB of " + node_of(cow) + " (a new, empty COW store)";
  step.run = [cow, dm_name = s.dm_name](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const snapshot, find_dm(ctx.host, dm_name));
    if (snapshot) return Outcome::unchanged;
    DAXD_TRY(ctx.host.block_devices().zero("/dev/mapper/" + cow, kCowHeaderBytes));
    return Outcome::changed;
  };
  return step;
}

void finish_plan(Plan& plan, state::DesiredState& desired, state::Journal& journal,
                 Hooks* hooks, Request const& q, QuiesceRequest const* quiesce, int times_index) {
  bool const cow = q.snapshot.method == SnapshotMethod::cow;
  plan.steps.push_back(
      record_snapshot_step(desired, journal, q.volume, q.snapshot, times_index, cow));
  if (!q.snapshot.mountpoint.empty()) {
    plan.steps.push_back(mount_snapshot_step(q.volume, q.snapshot));
  }
  // Last: the applications hear "resume" once the snapshot is made and recorded.
  if (hooks != nullptr && quiesce != nullptr) {
    plan.steps.push_back(resume_hooks_step(q.volume, *quiesce, *hooks, journal, kQuiesceStep));
  }
}

Plan plan_copy(state::DesiredState& desired, state::Journal& journal, Hooks* hooks,
               json const& r, Request const& q) {
  Plan plan = empty_plan(q);
  Volume const& v = q.volume;
  auto const quiesce = quiesce_request(r, v, "snapshot it by copy", /*dax_off=*/true);
  plan.steps.push_back(copy_quiesce_step(v, quiesce, hooks));
  plan.steps.push_back(snapshot_device_step(v, q.snapshot));
  int const freeze_index = static_cast<int>(plan.steps.size());
  plan.steps.push_back(freeze_step(v));
  plan.steps.push_back(copy_step(v, q.snapshot));
  int const thaw_index = static_cast<int>(plan.steps.size());
  plan.steps.push_back(thaw_step(v, journal, kQuiesceStep, freeze_index));
  finish_plan(plan, desired, journal, hooks, q, &quiesce, thaw_index);
  plan.notes.push_back("the origin is frozen for about " + std::to_string(q.expected_stop_ms) +
                       " ms while " + std::to_string(v.size) + " bytes are copied");
  plan.notes.push_back("volume '" + v.name + "' keeps DAX; the snapshot is a DAX-capable "
                       "device of its own");
  return plan;
}

// The first cow snapshot: daxd-VOL's type is fixed by its first table (DAX), so it goes and
// comes back as a snapshot-origin over daxd-VOL+real.
Plan plan_first_cow(state::DesiredState& desired, state::Journal& journal, Hooks* hooks,
                    json const& r, Request const& q) {
  Plan plan = empty_plan(q);
  Volume const& v = q.volume;
  Snapshot const& s = q.snapshot;
  auto const quiesce = quiesce_request(r, v, "snapshot it (cow)", /*dax_off=*/true);
  plan.steps.push_back(quiesce_step(v, quiesce, hooks));
  plan.steps.push_back(unmount_step(v, v.dax));
  plan.steps.push_back(remove_dax_dm_step(v));
  std::string const real = origin_real_dm_name(v.name);
  plan.steps.push_back(create_device_step(
      "create-real", "create " + node_of(real) + " (the volume's own table)", real,
      snapshot_dm_uuid(real), v.layout == VolumeLayout::striped ? "striped" : "linear",
      [v](host::Host& h) { return volume_table(h, v); }));
  plan.steps.push_back(cow_store_step(s));
  plan.steps.push_back(zero_cow_step(s));
  plan.steps.push_back(snapshot_device_step(v, s));
  plan.steps.push_back(create_device_step(
      "create-origin", "create " + volume_node(v) + " again as snapshot-origin of " + real,
      v.dm_name, volume_uuid(v), "snapshot-origin",
      [v](host::Host& h) { return origin_table(h, v); }));
  int const mount_index = static_cast<int>(plan.steps.size());
  Step mount = mount_step(v, DaxMode::never, [&journal](StepContext& ctx) {
    record_stop(journal, ctx, kQuiesceStep, "stopped_at_ms", /*frozen_ms=*/-1);
  });
  mount.commit_point = true;  // the origin runs again on the cow stack: recovery finishes
  plan.steps.push_back(std::move(mount));
  finish_plan(plan, desired, journal, hooks, q, &quiesce, mount_index);
  plan.notes.push_back("DAX is suspended on " + v.name +
                       " until its last cow snapshot is deleted or restored");
  plan.notes.push_back("the filesystem is unmounted while the cow stack is built (about " +
                       std::to_string(q.expected_stop_ms) + " ms)");
  return plan;
}

// A further cow snapshot: the origin is a snapshot-origin already; suspending it (lockfs)
// gives the new snapshot a consistent point in time without unmounting.
Plan plan_next_cow(state::DesiredState& desired, state::Journal& journal, Request const& q) {
  Plan plan = empty_plan(q);
  Volume const& v = q.volume;
  plan.steps.push_back(cow_store_step(q.snapshot));
  plan.steps.push_back(zero_cow_step(q.snapshot));
  int const suspend_index = static_cast<int>(plan.steps.size());
  plan.steps.push_back(suspend_origin_step(v));
  plan.steps.push_back(snapshot_device_step(v, q.snapshot));
  int const resume_index = static_cast<int>(plan.steps.size());
  plan.steps.push_back(resume_origin_step(v, journal, suspend_index));
  finish_plan(plan, desired, journal, nullptr, q, nullptr, resume_index);
  plan.steps[static_cast<std::size_t>(resume_index) + 1].commit_point = true;
  plan.notes.push_back("DAX is suspended on " + v.name +
                       " until its last cow snapshot is deleted or restored");
  plan.notes.push_back("the origin is suspended (I/O waits) for about " +
                       std::to_string(q.expected_stop_ms) + " ms; nothing is unmounted");
  return plan;
}

Result<Plan> plan_create(state::DesiredState& desired, state::Journal& journal, Hooks* hooks,
                         json const& r) {
  DAXD_ASSIGN_OR_RETURN(Request const q, read_request(r));
  switch (q.snapshot.method) {
    case SnapshotMethod::copy:
      return plan_copy(desired, journal, hooks, r, q);
    case SnapshotMethod::cow:
      if (q.cow_stack) return plan_next_cow(desired, journal, q);
      return plan_first_cow(desired, journal, hooks, r, q);
  }
  return Fail(Errc::internal, "unknown snapshot method");
}

// The world as the request saw it: the snapshot is new, the store free, the cow stack as it
// was (else the plan is the wrong one: the client asks again).
Result<void> check_state(state::DesiredState& desired, Request const& q) {
  auto stored = desired.get_snapshot(q.volume.name, q.snapshot.name);
  if (stored) {
    return Fail(Errc::already_exists,
                "snapshot '" + q.snapshot.name + "' of volume '" + q.volume.name + "' exists");
  }
  if (stored.error().code != Errc::not_found) return Fail(std::move(stored).error());
  DAXD_TRY(require_free_store(desired, q.snapshot));
  DAXD_ASSIGN_OR_RETURN(auto const mine, desired_snapshots(desired, q.volume.name));
  if (cow_only(mine).empty() == q.cow_stack) {
    return Fail(Errc::conflict, "volume '" + q.volume.name +
                                    "': its cow snapshots changed since the request was made: "
                                    "ask again");
  }
  return Ok();
}

Result<void> check_host(host::Host& host, Request const& q) {
  Volume const& v = q.volume;
  DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(host, v.mountpoint));
  if (!m || m->source != volume_node(v)) {
    return Fail(Errc::conflict, "volume '" + v.name + "' is not mounted at " + v.mountpoint);
  }
  DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(host, q.snapshot.dm_name));
  if (dm) return Fail(Errc::already_exists, q.snapshot.dm_name + ": a dm device is there");
  if (q.snapshot.mountpoint.empty()) return Ok();
  DAXD_ASSIGN_OR_RETURN(auto const at, find_mount(host, q.snapshot.mountpoint));
  if (at) {
    return Fail(Errc::busy, q.snapshot.mountpoint + ": " + at->source + " is mounted there");
  }
  return Ok();
}

Result<void> preflight_create(state::DesiredState& desired, Hooks* hooks, json const& r,
                              host::Host& host) {
  DAXD_ASSIGN_OR_RETURN(Request const q, read_request(r));
  DAXD_TRY(check_state(desired, q));
  DAXD_TRY(check_host(host, q));
  Volume const& v = q.volume;
  bool const copy = q.snapshot.method == SnapshotMethod::copy;
  if (!copy && q.cow_stack) return Ok();  // nothing stops: only a suspend
  DAXD_ASSIGN_OR_RETURN(auto const all, volume_consumers(host, v));
  std::string const verb = copy ? "snapshot it by copy" : "snapshot it (cow)";
  auto quiesce = quiesce_request(r, v, verb, /*dax_off=*/true);
  DAXD_TRY(note_hooks(quiesce, hooks));
  if (copy) return check_quiesce(quiesce, copy_blockers(all));
  for (auto const& c : all) {
    if (c.kind == ConsumerKind::holder) return Fail(volume_busy(v.name, verb, {c}));
  }
  return check_quiesce(quiesce, all);
}

}  // namespace

OperationType create_snapshot_type(state::DesiredState& desired, state::Journal& journal,
                                   Hooks* hooks) {
  return OperationType{
      kCreateSnapshot,
      [&desired, &journal, hooks](json const& r) {
        return plan_create(desired, journal, hooks, r);
      },
      [&desired, hooks](json const& r, host::Host& host) {
        return preflight_create(desired, hooks, r, host);
      }};
}

}  // namespace daxd::orchestrator::detail
