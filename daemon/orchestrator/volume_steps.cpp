// SPDX-License-Identifier: Apache-2.0
// Every step looks the volume up by its dm name and mountpoint, never by dm-N: a crash can fall
// between the kernel's change and the journal's record of it, and numbers change on restart.
#include "daemon/orchestrator/volume_steps.h"

#include <optional>

#include "daemon/orchestrator/volume_consumers.h"
#include "daemon/orchestrator/volume_spec.h"

namespace daxd::orchestrator {

QuiesceRequest quiesce_request(nlohmann::json const& r, Volume const& v, std::string verb,
                               bool dax_off) {
  QuiesceRequest q;
  q.volume = v.name;
  auto const policy = optional_string(r, "policy", "refuse");
  auto const parsed = parse_quiesce_policy(policy ? *policy : "refuse");
  q.policy = parsed ? *parsed : QuiescePolicy::refuse;
  auto const deadline = optional_size(r, "deadline_ms", kDefaultDeadlineMs);
  q.deadline = std::chrono::milliseconds(deadline ? *deadline : kDefaultDeadlineMs);
  q.verb = std::move(verb);
  q.dax_off = dax_off;
  q.mountpoint = v.mountpoint;
  return q;
}

Result<void> note_hooks(QuiesceRequest& q, Hooks* hooks) {
  if (hooks == nullptr) return Ok();
  DAXD_ASSIGN_OR_RETURN(q.has_hooks, hooks->any(q.volume));
  return Ok();
}

DaxMode mounted_dax(MountEntry const& m) {
  if (m.dax == "always") return DaxMode::always;
  if (m.dax == "never") return DaxMode::never;
  return DaxMode::inode;
}

Result<void> require_no_processes(host::Host& host, Volume const& v, std::string const& verb) {
  DAXD_ASSIGN_OR_RETURN(auto const all, volume_consumers(host, v));
  auto blockers = process_consumers(all);
  if (blockers.empty()) return Ok();
  return Fail(volume_busy(v.name, verb, std::move(blockers)));
}

namespace {

HookCall hook_call(QuiesceRequest const& q, std::int64_t operation_id) {
  return HookCall{q.volume, q.mountpoint, operation_id, HookPhase::quiesce, q.deadline};
}

// The ids a finished quiesce step recorded; nullopt (every hook) when it did not finish.
std::optional<std::vector<std::int64_t>> hooks_asked(nlohmann::json const& data) {
  auto const it = data.find("hooks_asked");
  if (it == data.end() || !it->is_array()) return std::nullopt;
  std::vector<std::int64_t> ids;
  for (auto const& id : *it) {
    if (id.is_number_integer()) ids.push_back(id.get<std::int64_t>());
  }
  return ids;
}

}  // namespace

Step quiesce_step(Volume const& v, QuiesceRequest q, Hooks* hooks, ConsumerFilter must_go,
                  std::string const& what) {
  Step s;
  s.name = "quiesce";
  s.description = "volume '" + v.name + "': " + what + " (policy " +
                  std::string(to_string(q.policy)) + ", deadline " +
                  std::to_string(q.deadline.count()) + " ms)";
  s.run = [v, q, hooks, must_go](StepContext& ctx) -> Result<Outcome> {
    ctx.data["stopped_at_ms"] = ctx.host.clock().now_unix_ms();
    QuiesceRequest r = q;
    r.operation_id = ctx.operation_id;
    DAXD_TRY(note_hooks(r, hooks));
    if (hooks != nullptr && r.policy != QuiescePolicy::refuse) {
      ctx.data["hooks_asked"] = nlohmann::json::array();  // none yet, and none if none exist
    }
    if (hooks != nullptr && r.has_hooks) {
      r.hook = [hooks, &ctx](QuiesceRequest const& req) -> Result<void> {
        DAXD_ASSIGN_OR_RETURN(auto const ids, hooks->quiesce(hook_call(req, req.operation_id)));
        ctx.data["hooks_asked"] = ids;
        return Ok();
      };
    }
    auto scan = [&]() -> Result<std::vector<Consumer>> {
      DAXD_ASSIGN_OR_RETURN(auto all, volume_consumers(ctx.host, v));
      return must_go ? must_go(all) : all;
    };
    DAXD_TRY(quiesce(ctx.host, r, scan));
    return Outcome::changed;
  };
  if (hooks == nullptr || q.policy == QuiescePolicy::refuse) return s;
  s.undo = [q, hooks](StepContext& ctx) -> Result<Outcome> {
    auto const only = hooks_asked(ctx.data);
    if (only && only->empty()) return Outcome::unchanged;
    auto call = hook_call(q, ctx.operation_id);
    ctx.data["resume_failures"] = hooks->resume(call, only);
    return Outcome::changed;
  };
  return s;
}

Step resume_hooks_step(Volume const& v, QuiesceRequest q, Hooks& hooks, state::Journal& journal,
                       int quiesce_index) {
  Step s;
  s.name = "resume-hooks";
  s.description = "volume '" + v.name + "': tell the hooks asked to quiesce that it may resume";
  s.run = [q, &hooks, &journal, quiesce_index](StepContext& ctx) -> Result<Outcome> {
    if (q.policy == QuiescePolicy::refuse) return Outcome::unchanged;
    // Read from the journal, not from memory: after a crash the roll-forward is a new process.
    auto const text = journal.step_data(ctx.operation_id, quiesce_index);
    auto const data = text ? nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false)
                           : nlohmann::json();
    auto const only = data.is_object() ? hooks_asked(data) : std::nullopt;
    if (only && only->empty()) return Outcome::unchanged;
    auto const failures = hooks.resume(hook_call(q, ctx.operation_id), only);
    ctx.data["failures"] = failures;
    return Outcome::changed;
  };
  return s;
}

Step unmount_step(Volume const& v, DaxMode undo_dax) {
  Step s;
  s.name = "unmount";
  s.description = "unmount " + v.mountpoint + " (not lazily)";
  s.run = [v](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(ctx.host, v.mountpoint));
    if (!m || m->source != volume_node(v)) return Outcome::unchanged;
    // Checked again here: a process may have arrived since the quiesce step.
    DAXD_TRY(require_no_processes(ctx.host, v, "unmount " + v.mountpoint));
    DAXD_TRY(ctx.host.filesystems().unmount(v.mountpoint));
    return Outcome::changed;
  };
  s.undo = [v, undo_dax](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(ctx.host, v.mountpoint));
    if (m) return Outcome::unchanged;
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, v.dm_name));
    if (!dm) return Outcome::unchanged;  // nothing to mount: an earlier undo removes nothing more
    DAXD_TRY(ctx.host.filesystems().mount(volume_node(v), v.mountpoint, v.filesystem, undo_dax));
    return Outcome::changed;
  };
  return s;
}

Step mount_step(Volume const& v, DaxMode dax, std::function<void(StepContext&)> after) {
  Step s;
  s.name = "mount";
  s.description = "mount " + volume_node(v) + " at " + v.mountpoint +
                  " with dax=" + std::string(to_string(dax));
  s.run = [v, dax, after](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(ctx.host, v.mountpoint));
    Outcome outcome = Outcome::unchanged;
    if (m && (m->source != volume_node(v) || mounted_dax(*m) != dax)) {
      return Fail(Errc::busy,
                  v.mountpoint + ": busy: " + m->source +
                      " is mounted there with dax=" + std::string(to_string(mounted_dax(*m))));
    }
    if (!m) {
      DAXD_TRY(ctx.host.filesystems().mount(volume_node(v), v.mountpoint, v.filesystem, dax));
      outcome = Outcome::changed;
    }
    if (after) after(ctx);
    return outcome;
  };
  s.undo = [v, dax](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(ctx.host, v.mountpoint));
    if (!m || m->source != volume_node(v) || mounted_dax(*m) != dax) return Outcome::unchanged;
    DAXD_TRY(require_no_processes(ctx.host, v, "unmount " + v.mountpoint));
    DAXD_TRY(ctx.host.filesystems().unmount(v.mountpoint));
    return Outcome::changed;
  };
  return s;
}

Step create_dm_step(Volume const& v) {
  Step s;
  s.name = "create-dm";
  s.description = "create " + volume_node(v) + " (" + std::string(to_string(v.layout)) + ", " +
                  std::to_string(v.extents.size()) + " extents, " + std::to_string(v.size) +
                  " bytes)";
  s.run = [v](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, v.dm_name));
    if (dm && dm->uuid == volume_uuid(v)) return Outcome::unchanged;
    if (dm) return Fail(Errc::already_exists, v.dm_name + ": a dm device not made by daxd");
    DAXD_ASSIGN_OR_RETURN(auto const table, volume_table(ctx.host, v));
    DAXD_ASSIGN_OR_RETURN(DmDevice const made,
                          ctx.host.device_mapper().create(v.dm_name, volume_uuid(v), table));
    ctx.data["blockdev"] = "dm-" + std::to_string(made.dev.minor);
    return Outcome::changed;
  };
  s.undo = [v](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, v.dm_name));
    if (!dm || dm->uuid != volume_uuid(v)) return Outcome::unchanged;
    DAXD_TRY(require_no_dax_mapping(ctx.host, v, "remove " + v.dm_name));
    DAXD_TRY(ctx.host.device_mapper().remove(v.dm_name));
    return Outcome::changed;
  };
  return s;
}

Step remove_dm_step(Volume const& v) {
  Step s;
  s.name = "remove-dm";
  s.description = "remove " + volume_node(v) + " (the data stay on the namespaces)";
  s.commit_point = true;
  s.run = [v](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(ctx.host, v.dm_name));
    if (!dm) return Outcome::unchanged;
    DAXD_TRY(require_no_dax_mapping(ctx.host, v, "remove " + v.dm_name));
    DAXD_ASSIGN_OR_RETURN(auto const all, volume_consumers(ctx.host, v));
    if (!all.empty()) return Fail(volume_busy(v.name, "remove " + v.dm_name, all));
    DAXD_TRY(ctx.host.device_mapper().remove(v.dm_name));
    return Outcome::changed;
  };
  return s;
}

}  // namespace daxd::orchestrator
