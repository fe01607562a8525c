// SPDX-License-Identifier: Apache-2.0
// Volume create, destroy and grow. Requests carry the whole spec once normalised, so that plans
// are pure functions of the journaled request and recovery can rebuild them.
#include "daemon/orchestrator/volume_ops.h"

#include <optional>

#include "daemon/model/json.h"
#include "daemon/orchestrator/namespace_ops.h"
#include "daemon/orchestrator/volume_consumers.h"
#include "daemon/orchestrator/volume_spec.h"
#include "daemon/orchestrator/volume_steps.h"
#include "daemon/orchestrator/volume_view.h"

namespace daxd::orchestrator {
namespace {

using nlohmann::json;

constexpr std::uint64_t kMaxDeadlineMs = 600000;

std::vector<std::string> resources_of(Volume const& v) {
  std::vector<std::string> out{"volume/" + v.name};
  for (auto const& x : v.extents) out.push_back("namespace/" + x.namespace_name);
  return out;
}

// Undo puts `previous` back, or forgets the volume when there was none (create).
Step record_step(state::DesiredState& desired, Volume const& v,
                 std::optional<Volume> previous = std::nullopt) {
  Step s;
  s.name = "record-desired";
  s.description = "record volume '" + v.name + "' in daxd's desired state";
  s.commit_point = true;
  std::string const spec = volume_spec(v).dump();
  s.run = [&desired, v, spec](StepContext&) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(bool const changed, desired.put(v.name, spec));
    return changed ? Outcome::changed : Outcome::unchanged;
  };
  s.undo = [&desired, v, previous](StepContext&) -> Result<Outcome> {
    if (previous) {
      DAXD_ASSIGN_OR_RETURN(bool const changed, desired.put(v.name, volume_spec(*previous).dump()));
      return changed ? Outcome::changed : Outcome::unchanged;
    }
    DAXD_ASSIGN_OR_RETURN(bool const removed, desired.remove(v.name));
    return removed ? Outcome::changed : Outcome::unchanged;
  };
  return s;
}

Step make_fs_step(Volume const& v) {
  Step s;
  s.name = "make-filesystem";
  s.description = "make a " + std::string(to_string(v.filesystem)) + " filesystem on " +
                  volume_node(v) + " (4 KiB blocks for DAX)";
  // No undo: the dm device it wrote to is removed by the step before, and mkfs cannot be undone.
  s.run = [v](StepContext& ctx) -> Result<Outcome> {
    DAXD_TRY(ctx.host.filesystems().make_filesystem(volume_node(v), v.filesystem));
    return Outcome::changed;
  };
  return s;
}

Result<Plan> plan_create(state::DesiredState& desired, json const& r) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  Plan plan{kCreateVolume, "volume/" + v.name, resources_of(v), {}, {}};
  plan.steps.push_back(create_dm_step(v));
  if (v.filesystem != FsType::none) plan.steps.push_back(make_fs_step(v));
  if (!v.mountpoint.empty()) plan.steps.push_back(mount_step(v, v.dax));
  plan.steps.push_back(record_step(desired, v));
  if (v.filesystem != FsType::none)
    plan.notes.push_back("a new filesystem replaces what was there");
  return plan;
}

bool overlaps(Extent const& a, Extent const& b) {
  return a.namespace_name == b.namespace_name && a.offset < b.offset + b.length &&
         b.offset < a.offset + a.length;
}

// Volumes may share a namespace, never a byte of it.
Result<void> require_free_extents(state::DesiredState& desired, Volume const& v) {
  DAXD_ASSIGN_OR_RETURN(auto const others, desired_volumes(desired));
  for (auto const& other : others) {
    if (other.name == v.name) continue;
    for (auto const& x : v.extents) {
      for (auto const& y : other.extents) {
        if (!overlaps(x, y)) continue;
        std::string const dm = dm_name_for(other.name);
        return Fail(Error{
            Errc::busy,
            "namespace '" + x.namespace_name + "': bytes " + std::to_string(x.offset) + "-" +
                std::to_string(x.offset + x.length) + " are used by volume '" + other.name + "'",
            {Consumer{ConsumerKind::holder, 0, dm, "/dev/mapper/" + dm, false, false}}});
      }
    }
  }
  return Ok();
}

Result<void> preflight_create(state::DesiredState& desired, json const& r, host::Host& host) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  // Running create again would make a new filesystem over the volume's data: idempotency by
  // name is existing_volume()'s job, before submitting.
  DAXD_ASSIGN_OR_RETURN(auto const stored, existing_volume(desired, r));
  if (stored) return Fail(Errc::already_exists, "volume '" + v.name + "' already exists");
  DAXD_TRY(require_free_extents(desired, v));
  auto const force = r.find("force");
  bool const forced = force != r.end() && force->is_boolean() && force->get<bool>();
  for (auto const& x : v.extents) {
    // A superblock sits at the extent's start; the namespace's own device shows offset 0 only.
    if (forced || v.filesystem == FsType::none || x.offset != 0) continue;
    DAXD_ASSIGN_OR_RETURN(Namespace const ns, find_namespace(host, x.namespace_name));
    DAXD_ASSIGN_OR_RETURN(auto const sig,
                          host.filesystems().probe_signature("/dev/" + ns.blockdev));
    if (!sig.empty()) {
      return Fail(Errc::conflict, "namespace '" + x.namespace_name + "' holds a " + sig +
                                      " filesystem that mkfs destroys: pass force to proceed");
    }
  }
  if (v.mountpoint.empty()) return Ok();
  DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(host, v.mountpoint));
  if (m && m->source != volume_node(v)) {
    return Fail(Errc::busy, v.mountpoint + ": " + m->source + " is already mounted there");
  }
  return Ok();
}

Step forget_step(state::DesiredState& desired, Volume const& v) {
  Step s;
  s.name = "forget";
  s.description = "remove volume '" + v.name + "' from daxd's desired state";
  s.run = [&desired, v](StepContext&) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(bool const removed, desired.remove(v.name));
    return removed ? Outcome::changed : Outcome::unchanged;
  };
  return s;
}

Result<Plan> plan_destroy(state::DesiredState& desired, Hooks* hooks, json const& r) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  Plan plan{kDestroyVolume, "volume/" + v.name, resources_of(v), {}, {}};
  // No resume after success: the volume and its hooks are gone.
  plan.steps.push_back(
      quiesce_step(v, quiesce_request(r, v, "destroy it", /*dax_off=*/true), hooks));
  if (!v.mountpoint.empty()) plan.steps.push_back(unmount_step(v, v.dax));
  plan.steps.push_back(remove_dm_step(v));
  plan.steps.push_back(forget_step(desired, v));
  plan.notes.push_back("the data stay on the namespaces until they are reused");
  return plan;
}

Result<void> preflight_quiesce(json const& r, host::Host& host, std::string const& verb,
                               bool dax_off, Hooks* hooks) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  DAXD_ASSIGN_OR_RETURN(auto const all, volume_consumers(host, v));
  for (auto const& c : all) {
    if (c.kind == ConsumerKind::holder) return Fail(volume_busy(v.name, verb, {c}));
  }
  auto q = quiesce_request(r, v, verb, dax_off);
  DAXD_TRY(note_hooks(q, hooks));
  return check_quiesce(q, all);
}

// Suspend, load, resume as one step: a failure in between resumes before it reports, so no
// device is left suspended (invariant 3); the DAX check comes just before the suspend.
Result<Outcome> load_table(host::Host& host, Volume const& v, std::string const& verb) {
  DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(host, v.dm_name));
  if (!dm) return Fail(Errc::not_found, "volume '" + v.name + "': " + v.dm_name + " is gone");
  // volume_table builds only from fsdax namespaces, so a DAX-capable device is never given a
  // non-DAX table (the kernel refuses it, and it would strip DAX under a mounted filesystem).
  DAXD_ASSIGN_OR_RETURN(auto const table, volume_table(host, v));
  if (dm->table == table && !dm->suspended) return Outcome::unchanged;
  auto& mapper = host.device_mapper();
  if (!dm->suspended) {
    DAXD_TRY(require_no_dax_mapping(host, v, verb));
    DAXD_TRY(mapper.suspend(v.dm_name));
  }
  // Loaded even when the live table is right: a suspended device may hold another inactive
  // table (a crash or a failed resume), and resume would make that one live.
  if (auto loaded = mapper.reload(v.dm_name, table); !loaded) {
    ignore_result(mapper.resume(v.dm_name));  // the reload's error is the one to report
    return Fail(std::move(loaded).error());
  }
  DAXD_TRY(mapper.resume(v.dm_name));
  return Outcome::changed;
}

Result<Plan> plan_grow(state::DesiredState& desired, json const& r) {
  DAXD_ASSIGN_OR_RETURN(Volume const old, request_volume(r));
  DAXD_ASSIGN_OR_RETURN(Volume const grown, request_volume(r, "grown"));
  Step reload;
  reload.name = "reload-table";
  reload.description = "load a " + std::to_string(grown.size) + "-byte table into " +
                       volume_node(grown) + " (suspend, reload, resume)";
  reload.run = [grown](StepContext& ctx) {
    return load_table(ctx.host, grown, "reload its table");
  };
  reload.undo = [old](StepContext& ctx) {
    return load_table(ctx.host, old, "reload its old table");
  };
  Plan plan{kGrowVolume, "volume/" + grown.name, resources_of(grown), {}, {}};
  plan.steps.push_back(std::move(reload));
  plan.steps.push_back(record_step(desired, grown, old));
  plan.notes.push_back("the filesystem is not grown: run resize2fs or xfs_growfs");
  return plan;
}

Result<void> preflight_grow(json const& r, host::Host& host) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  return require_no_dax_mapping(host, v, "reload its table");
}

// A namespace that a desired volume is built on is held, even while its dm device is down.
Result<void> require_not_member(state::DesiredState& desired, json const& r,
                                std::string const& verb) {
  DAXD_ASSIGN_OR_RETURN(std::string const name, optional_string(r, "name", ""));
  DAXD_ASSIGN_OR_RETURN(auto members, volume_memberships(desired, name));
  if (members.empty()) return Ok();
  std::string const msg = "namespace '" + name + "': cannot " + verb + ": " +
                          members.front().command + " is built on it";
  return Fail(Error{Errc::busy, msg, std::move(members)});
}

}  // namespace

Result<std::optional<Volume>> existing_volume(state::DesiredState& desired,
                                              json const& create_request) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(create_request));
  auto stored = desired_volume(desired, v.name);
  if (!stored && stored.error().code == Errc::not_found) return std::optional<Volume>();
  if (!stored) return Fail(std::move(stored).error());
  if (!(*stored == v)) {
    return Fail(Errc::already_exists, "volume '" + v.name + "' exists with a different spec (" +
                                          volume_spec(*stored).dump() + ")");
  }
  return std::optional<Volume>(std::move(*stored));
}

namespace detail {

Result<void> normalise_quiesce(json const& body, json& out) {
  DAXD_ASSIGN_OR_RETURN(std::string const policy, optional_string(body, "policy", "refuse"));
  DAXD_ASSIGN_OR_RETURN(QuiescePolicy const p, parse_quiesce_policy(policy));
  auto const it = body.find("deadline_ms");
  std::uint64_t deadline = kDefaultDeadlineMs;
  if (it != body.end() && !it->is_null()) {
    bool const ok = it->is_number_integer() && it->get<std::int64_t>() >= 0 &&
                    it->get<std::uint64_t>() <= kMaxDeadlineMs;
    if (!ok) return Fail(Errc::invalid_argument, "'deadline_ms' must be 0 to 600000 milliseconds");
    deadline = it->get<std::uint64_t>();
  }
  out["policy"] = to_string(p);
  out["deadline_ms"] = deadline;
  return Ok();
}

}  // namespace detail

Result<json> normalise_destroy_volume(state::DesiredState& desired, std::string const& name,
                                      json const& body) {
  json const b = body.is_null() ? json::object() : body;
  if (!b.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  DAXD_ASSIGN_OR_RETURN(Volume const v, desired_volume(desired, name));
  json out{{"name", name}, {"volume", volume_spec(v)}};
  DAXD_TRY(detail::normalise_quiesce(b, out));
  return out;
}

Result<json> normalise_grow_volume(host::Host& host, state::DesiredState& desired,
                                   std::string const& name, json const& body) {
  if (!body.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  DAXD_ASSIGN_OR_RETURN(Volume const v, desired_volume(desired, name));
  if (v.layout != VolumeLayout::linear) {
    return Fail(Errc::unsupported, "volume '" + name + "': only linear volumes can grow");
  }
  DAXD_ASSIGN_OR_RETURN(auto const more, resolve_extents(host, body, v.layout, 0));
  Volume grown = v;
  for (auto const& x : more) {
    grown.extents.push_back(x);
    grown.size += x.length;
  }
  return json{{"name", name}, {"volume", volume_spec(v)}, {"grown", volume_spec(grown)}};
}

void register_volume_operations(Orchestrator& o, state::DesiredState& desired,
                                state::Journal& journal, Hooks* hooks) {
  o.register_type(
      {kCreateVolume, [&desired](json const& r) { return plan_create(desired, r); },
       [&desired](json const& r, host::Host& h) { return preflight_create(desired, r, h); }});
  o.register_type(
      {kDestroyVolume, [&desired, hooks](json const& r) { return plan_destroy(desired, hooks, r); },
       [hooks](json const& r, host::Host& h) {
         return preflight_quiesce(r, h, "destroy it", /*dax_off=*/true, hooks);
       }});
  o.register_type(
      {kGrowVolume, [&desired](json const& r) { return plan_grow(desired, r); }, preflight_grow});
  o.register_type(detail::set_dax_type(desired, journal, hooks));
  for (auto const& [type, verb] : {std::pair{kDestroyNamespace, "destroy it"},
                                   std::pair{kReconfigureNamespace, "reconfigure it"}}) {
    std::string const v = verb;
    // Absent only when namespace operations are not registered: then there is nothing to guard.
    ignore_result(o.add_preflight(type, [&desired, v](json const& r, host::Host&) {
      return require_not_member(desired, r, v);
    }));
  }
}

}  // namespace daxd::orchestrator
