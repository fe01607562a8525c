// SPDX-License-Identifier: Apache-2.0
// Every step finds its objects by dm name, uuid and mountpoint, never by dm-N: a crash can fall
// between the kernel's change and the journal's record of it. Times are read back from the
// journal, not memory: after a crash the roll-forward runs in a new process.
#include "daemon/orchestrator/snapshot_steps.h"

#include <algorithm>
#include <optional>

#include "daemon/orchestrator/snapshot_spec.h"
#include "daemon/orchestrator/snapshot_validate.h"
#include "daemon/orchestrator/volume_consumers.h"
#include "daemon/orchestrator/volume_spec.h"
#include "daemon/orchestrator/volume_steps.h"

namespace daxd::orchestrator::detail {
namespace {

using nlohmann::json;

std::string node_of(std::string const& dm_name) { return "/dev/mapper/" + dm_name; }

std::optional<std::int64_t> step_time(state::Journal& journal, std::int64_t op, int index,
                                      char const* key) {
  auto const text = journal.step_data(op, index);
  if (!text) return std::nullopt;
  auto const data = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!data.is_object() || !data.contains(key) || !data.at(key).is_number_integer()) {
    return std::nullopt;
  }
  return data.at(key).get<std::int64_t>();
}

std::string first_type(std::vector<DmTarget> const& table) {
  return table.empty() ? std::string() : table.front().type;
}

Result<Outcome> unmount_if(host::Host& host, std::string const& target, std::string const& node) {
  DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(host, target));
  if (!m || m->source != node) return Outcome::unchanged;
  DAXD_TRY(host.filesystems().unmount(target));
  return Outcome::changed;
}

}  // namespace

Step copy_quiesce_step(Volume const& v, QuiesceRequest q, Hooks* hooks) {
  return quiesce_step(v, std::move(q), hooks, copy_blockers,
                      "make its MAP_SYNC mappings go; other users stay");
}

Step create_device_step(std::string name, std::string description, std::string dm_name,
                        std::string uuid, std::string type, TableFn table) {
  Step s;
  s.name = std::move(name);
  s.description = std::move(description);
  s.run = [dm_name, uuid, type, table](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, dm_name));
    if (dm && dm->uuid == uuid && first_type(dm->table) == type) return Outcome::unchanged;
    if (dm) {
      return Fail(Errc::already_exists, dm_name + ": a dm device with another table (" +
                                            first_type(dm->table) + ") is there");
    }
    DAXD_ASSIGN_OR_RETURN(auto const t, table(ctx.host));
    DAXD_ASSIGN_OR_RETURN(DmDevice const made, ctx.host.device_mapper().create(dm_name, uuid, t));
    ctx.data["blockdev"] = "dm-" + std::to_string(made.dev.minor);
    return Outcome::changed;
  };
  s.undo = [dm_name, uuid, type](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, dm_name));
    if (!dm || dm->uuid != uuid || first_type(dm->table) != type) return Outcome::unchanged;
    // A suspended device may hold I/O; it is resumed before it goes.
    if (dm->suspended) DAXD_TRY(ctx.host.device_mapper().resume(dm_name));
    DAXD_TRY(ctx.host.device_mapper().remove(dm_name));
    return Outcome::changed;
  };
  return s;
}

Step remove_dax_dm_step(Volume const& v) {
  Step s;
  s.name = "remove-dax-dm";
  s.description = "remove " + volume_node(v) +
                  " (its DAX-capable table cannot become a snapshot-origin; the data stay)";
  s.run = [v](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, v.dm_name));
    if (!dm || first_type(dm->table) == "snapshot-origin") return Outcome::unchanged;
    DAXD_TRY(require_no_dax_mapping(ctx.host, v, "remove " + v.dm_name));
    DAXD_ASSIGN_OR_RETURN(auto const all, volume_consumers(ctx.host, v));
    if (!all.empty()) return Fail(volume_busy(v.name, "remove " + v.dm_name, all));
    DAXD_TRY(ctx.host.device_mapper().remove(v.dm_name));
    return Outcome::changed;
  };
  s.undo = [v](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, v.dm_name));
    if (dm) return Outcome::unchanged;
    DAXD_ASSIGN_OR_RETURN(auto const table, volume_table(ctx.host, v));
    DAXD_TRY(ctx.host.device_mapper().create(v.dm_name, volume_uuid(v), table));
    return Outcome::changed;
  };
  return s;
}

Step freeze_step(Volume const& v) {
  Step s;
  s.name = "freeze";
  s.description = "freeze the filesystem at " + v.mountpoint +
                  " (FIFREEZE: writes wait, dirty DAX pages are write-protected)";
  s.run = [v](StepContext& ctx) -> Result<Outcome> {
    if (!ctx.data.contains("frozen_at_ms")) ctx.data["frozen_at_ms"] = ctx.host.clock().now_unix_ms();
    auto frozen = ctx.host.filesystems().freeze(v.mountpoint);
    // FIFREEZE answers EBUSY when the filesystem is frozen already: this step froze it.
    if (!frozen && frozen.error().code == Errc::busy) return Outcome::unchanged;
    DAXD_TRY(std::move(frozen));
    return Outcome::changed;
  };
  s.undo = [v](StepContext& ctx) -> Result<Outcome> {
    auto thawed = ctx.host.filesystems().thaw(v.mountpoint);
    if (!thawed && thawed.error().code == Errc::not_found) return Outcome::unchanged;
    DAXD_TRY(std::move(thawed));
    return Outcome::changed;
  };
  return s;
}

Step copy_step(Volume const& v, Snapshot const& snap) {
  Step s;
  s.name = "copy";
  s.description = "copy " + std::to_string(v.size) + " bytes of " + volume_node(v) + " to " +
                  node_of(snap.dm_name) + " (O_DIRECT, flushed)";
  s.run = [v, snap](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const stats, ctx.host.block_devices().copy(
                                                volume_node(v), node_of(snap.dm_name), v.size));
    ctx.data["bytes"] = stats.bytes;
    ctx.data["elapsed_ms"] = stats.elapsed_ms;
    ctx.data["bandwidth"] =
        stats.bytes * 1000 / static_cast<std::uint64_t>(std::max<std::int64_t>(1, stats.elapsed_ms));
    return Outcome::changed;
  };
  return s;
}

void record_stop(state::Journal& journal, StepContext& ctx, int index, char const* at_key,
                 std::int64_t frozen_ms) {
  auto const since = step_time(journal, ctx.operation_id, index, at_key);
  std::int64_t const now = ctx.host.clock().now_unix_ms();
  std::int64_t const stopped = since ? std::max<std::int64_t>(0, now - *since) : -1;
  ctx.data["stopped_ms"] = stopped;
  ctx.data["frozen_ms"] = frozen_ms;
  // A lost figure is not worth undoing a snapshot for.
  ignore_result(journal.record_times(ctx.operation_id, std::max<std::int64_t>(0, stopped),
                                     std::max<std::int64_t>(0, frozen_ms)));
}

Step thaw_step(Volume const& v, state::Journal& journal, int quiesce_index, int freeze_index) {
  Step s;
  s.name = "thaw";
  s.description = "thaw the filesystem at " + v.mountpoint + " (the copy is complete)";
  s.commit_point = true;  // the copy is whole and the origin runs: recovery finishes the rest
  s.run = [v, &journal, quiesce_index, freeze_index](StepContext& ctx) -> Result<Outcome> {
    DAXD_TRY(ctx.host.filesystems().thaw(v.mountpoint));
    auto const frozen_at = step_time(journal, ctx.operation_id, freeze_index, "frozen_at_ms");
    std::int64_t const now = ctx.host.clock().now_unix_ms();
    std::int64_t const frozen = frozen_at ? std::max<std::int64_t>(0, now - *frozen_at) : -1;
    record_stop(journal, ctx, quiesce_index, "stopped_at_ms", frozen);
    return Outcome::changed;
  };
  return s;
}

Step suspend_origin_step(Volume const& v) {
  Step s;
  s.name = "suspend-origin";
  s.description = "suspend " + volume_node(v) + " (dm lockfs freezes its filesystem)";
  s.run = [v](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, v.dm_name));
    if (!dm) return Fail(Errc::not_found, "volume '" + v.name + "': " + v.dm_name + " is gone");
    if (dm->suspended) return Outcome::unchanged;
    ctx.data["suspended_at_ms"] = ctx.host.clock().now_unix_ms();
    DAXD_TRY(ctx.host.device_mapper().suspend(v.dm_name));
    return Outcome::changed;
  };
  s.undo = [v](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, v.dm_name));
    if (!dm || !dm->suspended) return Outcome::unchanged;
    DAXD_TRY(ctx.host.device_mapper().resume(v.dm_name));
    return Outcome::changed;
  };
  return s;
}

Step resume_origin_step(Volume const& v, state::Journal& journal, int suspend_index) {
  Step s;
  s.name = "resume-origin";
  s.description = "resume " + volume_node(v);
  s.run = [v, &journal, suspend_index](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, v.dm_name));
    if (!dm) return Fail(Errc::not_found, "volume '" + v.name + "': " + v.dm_name + " is gone");
    Outcome outcome = Outcome::unchanged;
    if (dm->suspended) {
      DAXD_TRY(ctx.host.device_mapper().resume(v.dm_name));
      outcome = Outcome::changed;
    }
    auto const at = step_time(journal, ctx.operation_id, suspend_index, "suspended_at_ms");
    std::int64_t const held =
        at ? std::max<std::int64_t>(0, ctx.host.clock().now_unix_ms() - *at) : -1;
    record_stop(journal, ctx, suspend_index, "suspended_at_ms", held);
    return outcome;
  };
  return s;
}

Step record_snapshot_step(state::DesiredState& desired, state::Journal& journal, Volume const& v,
                          Snapshot const& snap, int times_index, bool suspend_dax) {
  Step s;
  s.name = "record-snapshot";
  s.description = "record snapshot '" + snap.name + "' of volume '" + v.name + "'" +
                  (suspend_dax ? " and that DAX is suspended on it" : "");
  s.run = [&desired, &journal, v, snap, times_index,
           suspend_dax](StepContext& ctx) -> Result<Outcome> {
    Snapshot rec = snap;
    rec.operation_id = ctx.operation_id;
    rec.stopped_ms = step_time(journal, ctx.operation_id, times_index, "stopped_ms").value_or(-1);
    rec.frozen_ms = step_time(journal, ctx.operation_id, times_index, "frozen_ms").value_or(-1);
    DAXD_ASSIGN_OR_RETURN(bool changed, put_snapshot_record(desired, rec));
    if (suspend_dax) {
      Volume off = v;
      off.dax_capable = false;
      DAXD_ASSIGN_OR_RETURN(bool const vol, desired.put(v.name, stored_volume_spec(off).dump()));
      changed = changed || vol;
    }
    return changed ? Outcome::changed : Outcome::unchanged;
  };
  s.undo = [&desired, v, snap, suspend_dax](StepContext&) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(bool changed, desired.remove_snapshot(snap.volume, snap.name));
    if (suspend_dax) {
      DAXD_ASSIGN_OR_RETURN(bool const vol, desired.put(v.name, stored_volume_spec(v).dump()));
      changed = changed || vol;
    }
    return changed ? Outcome::changed : Outcome::unchanged;
  };
  return s;
}

Step mount_snapshot_step(Volume const& v, Snapshot const& snap) {
  Step s;
  s.name = "mount-snapshot";
  s.description = "mount " + node_of(snap.dm_name) + " read-only at " + snap.mountpoint;
  s.run = [v, snap](StepContext& ctx) -> Result<Outcome> {
    std::string const node = node_of(snap.dm_name);
    DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(ctx.host, snap.mountpoint));
    if (m && m->source == node) return Outcome::unchanged;
    if (m) return Fail(Errc::busy, snap.mountpoint + ": " + m->source + " is mounted there");
    DAXD_TRY(ctx.host.filesystems().mount_read_only(node, snap.mountpoint, v.filesystem));
    return Outcome::changed;
  };
  s.undo = [snap](StepContext& ctx) {
    return unmount_if(ctx.host, snap.mountpoint, node_of(snap.dm_name));
  };
  return s;
}

}  // namespace daxd::orchestrator::detail
