// SPDX-License-Identifier: Apache-2.0
// The snapshot stack's shared steps, and the cow stack back to the volume's DAX-capable table.
// Every step finds its device by dm name: a crash can fall between the kernel's change and the
// journal's record of it. A dm device's type is fixed by its first table, so daxd-VOL is always
// created again (never reloaded) when it changes between snapshot-origin and the DAX table.
#include "daemon/orchestrator/snapshot_stack.h"

#include <algorithm>

#include "daemon/orchestrator/snapshot_spec.h"
#include "daemon/orchestrator/volume_consumers.h"
#include "daemon/orchestrator/volume_spec.h"
#include "daemon/orchestrator/volume_steps.h"

namespace daxd::orchestrator {
namespace {

using nlohmann::json;

Volume as_device(std::string const& dm_name) {
  Volume d;
  d.name = dm_name;
  d.dm_name = dm_name;
  return d;
}

// Mounted, held by another table, or open: the kernel would say busy; daxd says who.
Result<void> require_unused(host::Host& host, std::string const& dm_name, std::string const& verb) {
  DAXD_ASSIGN_OR_RETURN(auto const all, volume_consumers(host, as_device(dm_name)));
  if (all.empty()) return Ok();
  return Fail(volume_busy(dm_name, verb, all));
}

Result<Outcome> create_if_missing(host::Host& host, std::string const& dm_name,
                                  std::string const& uuid, StackTable const& table) {
  DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(host, dm_name));
  if (dm) return Outcome::unchanged;
  DAXD_ASSIGN_OR_RETURN(auto const t, table(host));
  DAXD_TRY(host.device_mapper().create(dm_name, uuid, t));
  return Outcome::changed;
}

Result<Outcome> remove_if_present(host::Host& host, std::string const& dm_name) {
  DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(host, dm_name));
  if (!dm) return Outcome::unchanged;
  DAXD_TRY(require_unused(host, dm_name, "remove " + dm_name));
  DAXD_TRY(host.device_mapper().remove(dm_name));
  return Outcome::changed;
}

}  // namespace

Volume snapshot_device(Volume const& v, Snapshot const& s) {
  Volume d;
  d.name = v.name + "@" + s.name;
  d.dm_name = s.dm_name.empty() ? snapshot_dm_name(v.name, s.name) : s.dm_name;
  d.filesystem = v.filesystem;
  d.mountpoint = s.mountpoint;
  d.size = s.size;
  return d;
}

Result<bool> dm_has_type(host::Host& host, std::string const& dm_name, std::string const& type) {
  DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(host, dm_name));
  return dm && !dm->table.empty() && dm->table.front().type == type;
}

Step create_stack_dm_step(std::string name, std::string dm_name, std::string description,
                          StackTable table) {
  Step s;
  s.name = std::move(name);
  s.description = std::move(description);
  s.run = [dm_name, table](StepContext& ctx) {
    return create_if_missing(ctx.host, dm_name, snapshot_dm_uuid(dm_name), table);
  };
  s.undo = [dm_name](StepContext& ctx) { return remove_if_present(ctx.host, dm_name); };
  return s;
}

Step remove_stack_dm_step(std::string name, std::string dm_name, std::string description,
                          StackTable undo_table) {
  Step s;
  s.name = std::move(name);
  s.description = std::move(description);
  s.run = [dm_name](StepContext& ctx) { return remove_if_present(ctx.host, dm_name); };
  if (!undo_table) {
    s.commit_point = true;
    return s;
  }
  s.undo = [dm_name, undo_table](StepContext& ctx) {
    return create_if_missing(ctx.host, dm_name, snapshot_dm_uuid(dm_name), undo_table);
  };
  return s;
}

Step unmount_snapshot_step(Volume const& v, Snapshot const& s) {
  Volume const dev = snapshot_device(v, s);
  Step step;
  step.name = "unmount-snapshot";
  step.description = s.mountpoint.empty()
                         ? "snapshot '" + s.name + "' has no read-only mount"
                         : "unmount the read-only " + s.mountpoint + " (not lazily)";
  step.run = [dev](StepContext& ctx) -> Result<Outcome> {
    if (dev.mountpoint.empty()) return Outcome::unchanged;
    DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(ctx.host, dev.mountpoint));
    if (!m || m->source != volume_node(dev)) return Outcome::unchanged;
    DAXD_TRY(require_no_processes(ctx.host, dev, "unmount " + dev.mountpoint));
    DAXD_TRY(ctx.host.filesystems().unmount(dev.mountpoint));
    return Outcome::changed;
  };
  step.undo = [dev](StepContext& ctx) -> Result<Outcome> {
    if (dev.mountpoint.empty()) return Outcome::unchanged;
    DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(ctx.host, dev.mountpoint));
    if (m) return Outcome::unchanged;
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, dev.dm_name));
    if (!dm) return Outcome::unchanged;  // an earlier undo brings the device back first
    DAXD_TRY(
        ctx.host.filesystems().mount_read_only(volume_node(dev), dev.mountpoint, dev.filesystem));
    return Outcome::changed;
  };
  return step;
}

Step mount_read_only_step(Volume const& v, Snapshot const& s, std::string const& mountpoint) {
  Volume dev = snapshot_device(v, s);
  dev.mountpoint = mountpoint;
  Step step;
  step.name = "mount-read-only";
  step.description = "mount " + volume_node(dev) + " read-only at " + mountpoint;
  step.run = [dev](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(ctx.host, dev.mountpoint));
    if (m && m->source == volume_node(dev)) return Outcome::unchanged;
    if (m) {
      return Fail(Errc::busy, dev.mountpoint + ": busy: " + m->source + " is mounted there");
    }
    DAXD_TRY(
        ctx.host.filesystems().mount_read_only(volume_node(dev), dev.mountpoint, dev.filesystem));
    return Outcome::changed;
  };
  step.undo = [dev](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(ctx.host, dev.mountpoint));
    if (!m || m->source != volume_node(dev)) return Outcome::unchanged;
    DAXD_TRY(require_no_processes(ctx.host, dev, "unmount " + dev.mountpoint));
    DAXD_TRY(ctx.host.filesystems().unmount(dev.mountpoint));
    return Outcome::changed;
  };
  return step;
}

Step forget_snapshot_step(state::DesiredState& desired, Snapshot const& s) {
  Step step;
  step.name = "forget-snapshot";
  step.description =
      "remove snapshot '" + s.name + "' of volume '" + s.volume + "' from daxd's desired state";
  step.run = [&desired, s](StepContext&) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(bool const removed, desired.remove_snapshot(s.volume, s.name));
    return removed ? Outcome::changed : Outcome::unchanged;
  };
  step.undo = [&desired, s](StepContext&) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(bool const changed, put_snapshot_record(desired, s));
    return changed ? Outcome::changed : Outcome::unchanged;
  };
  return step;
}

Step record_volume_step(state::DesiredState& desired, Volume const& v, Volume const& previous) {
  Step step;
  step.name = "record-volume";
  step.description = "record volume '" + v.name + "' (" + std::to_string(v.extents.size()) +
                     " extents, dax " + (v.dax_capable ? "capable" : "suspended") + ")";
  std::string const spec = stored_volume_spec(v).dump();
  std::string const old = stored_volume_spec(previous).dump();
  step.run = [&desired, name = v.name, spec](StepContext&) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(bool const changed, desired.put(name, spec));
    return changed ? Outcome::changed : Outcome::unchanged;
  };
  step.undo = [&desired, name = v.name, old](StepContext&) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(bool const changed, desired.put(name, old));
    return changed ? Outcome::changed : Outcome::unchanged;
  };
  return step;
}

void record_stopped_time(state::Journal& journal, StepContext& ctx, int quiesce_index) {
  auto const text = journal.step_data(ctx.operation_id, quiesce_index);
  if (!text) return;
  auto const data = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!data.is_object() || !data.contains("stopped_at_ms")) return;
  auto const since = data.at("stopped_at_ms");
  if (!since.is_number_integer()) return;
  std::int64_t const stopped =
      std::max<std::int64_t>(0, ctx.host.clock().now_unix_ms() - since.get<std::int64_t>());
  ctx.data["stopped_ms"] = stopped;
  // A lost figure is not worth undoing the change for.
  ignore_result(journal.record_times(ctx.operation_id, stopped, /*frozen_ms=*/0));
}

Result<std::vector<Snapshot>> other_snapshots(state::DesiredState& desired,
                                              std::string const& volume,
                                              std::string const& except) {
  DAXD_ASSIGN_OR_RETURN(auto all, desired_snapshots(desired, volume));
  std::erase_if(all, [&](Snapshot const& s) { return s.name == except; });
  return all;
}

// daxd-VOL as snapshot-origin goes; a daxd-VOL with any other table (the DAX one, made by a
// later step before a crash) is left alone.
Step remove_origin_step(Volume const& v, std::vector<Snapshot> const& remaining) {
  Step s;
  s.name = "remove-origin";
  s.description = "remove " + volume_node(v) + " (snapshot-origin)";
  s.run = [v](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(bool const origin, dm_has_type(ctx.host, v.dm_name, "snapshot-origin"));
    if (!origin) return Outcome::unchanged;
    return remove_if_present(ctx.host, v.dm_name);
  };
  std::vector<std::string> snaps;
  for (auto const& x : remaining) snaps.push_back(snapshot_dm_name(v.name, x.name));
  s.undo = [v, snaps](StepContext& ctx) -> Result<Outcome> {
    for (auto const& name : snaps) {
      DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, name));
      if (!dm) return Fail(Errc::not_found, "volume '" + v.name + "': " + name + " is gone");
    }
    return create_if_missing(ctx.host, v.dm_name, volume_uuid(v),
                             [v](host::Host& h) { return origin_table(h, v); });
  };
  return s;
}

Result<std::vector<Snapshot>> request_others(state::DesiredState& desired, json const& r,
                                             std::string const& volume, std::string const& except) {
  auto const it = r.find("others");
  if (it == r.end() || !it->is_array()) return other_snapshots(desired, volume, except);
  std::vector<Snapshot> out;
  for (auto const& spec : *it) {
    DAXD_ASSIGN_OR_RETURN(Snapshot s, request_snapshot(json{{"snapshot", spec}}));
    if (s.name != except) out.push_back(std::move(s));
  }
  return out;
}

namespace detail {
namespace {

// The first load is the volume's own (DAX-capable) table: the device type sticks to it.
Step create_dax_step(Volume const& v) {
  Step s;
  s.name = "create-dax-dm";
  s.description = "create " + volume_node(v) + " again with its DAX-capable " +
                  std::string(to_string(v.layout)) + " table (first load)";
  s.run = [v](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(bool const origin, dm_has_type(ctx.host, v.dm_name, "snapshot-origin"));
    if (origin) {
      return Fail(Errc::conflict,
                  "volume '" + v.name + "': " + v.dm_name + " is still a snapshot-origin");
    }
    return create_if_missing(ctx.host, v.dm_name, volume_uuid(v),
                             [v](host::Host& h) { return volume_table(h, v); });
  };
  s.undo = [v](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, v.dm_name));
    if (!dm || (!dm->table.empty() && dm->table.front().type == "snapshot-origin")) {
      return Outcome::unchanged;
    }
    DAXD_TRY(require_no_dax_mapping(ctx.host, v, "remove " + v.dm_name));
    return remove_if_present(ctx.host, v.dm_name);
  };
  return s;
}

}  // namespace

std::vector<Step> cow_stack_to_dax_steps(Volume const& v, std::vector<Snapshot> const& remaining) {
  std::vector<Step> steps;
  steps.push_back(remove_origin_step(v, remaining));
  std::string const real = origin_real_dm_name(v.name);
  steps.push_back(remove_stack_dm_step("remove-real", real,
                                       "remove /dev/mapper/" + real + " (the origin's real device)",
                                       [v](host::Host& h) { return volume_table(h, v); }));
  steps.push_back(create_dax_step(v));
  return steps;
}

}  // namespace detail

}  // namespace daxd::orchestrator
