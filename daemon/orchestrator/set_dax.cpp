// SPDX-License-Identifier: Apache-2.0
// set-dax: quiesce, unmount, mount with the new dax option (commit point), record. The kernel
// cannot change DAX under a mounted filesystem, so the world stops from quiesce to mount; the
// journal records for how long.
#include "daemon/model/json.h"
#include "daemon/orchestrator/volume_consumers.h"
#include "daemon/orchestrator/volume_ops.h"
#include "daemon/orchestrator/volume_spec.h"
#include "daemon/orchestrator/volume_steps.h"

namespace daxd::orchestrator {
namespace {

using nlohmann::json;

constexpr int kQuiesceStep = 0;  // where the world stopped: its data hold stopped_at_ms

std::string verb_for(DaxMode to) { return "change dax to " + std::string(to_string(to)); }

// Read from the journal, not from memory: after a crash the roll-forward runs in a new process.
void record_stopped_time(state::Journal& journal, StepContext& ctx) {
  auto const text = journal.step_data(ctx.operation_id, kQuiesceStep);
  if (!text) return;
  auto const data = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!data.is_object() || !data.contains("stopped_at_ms")) return;
  std::int64_t const since = data.at("stopped_at_ms").get<std::int64_t>();
  std::int64_t const stopped = std::max<std::int64_t>(0, ctx.host.clock().now_unix_ms() - since);
  // A lost figure is not worth undoing a DAX change for.
  ignore_result(journal.record_times(ctx.operation_id, stopped, /*frozen_ms=*/0));
}

Step update_desired_step(state::DesiredState& desired, Volume const& v) {
  Step s;
  s.name = "update-desired";
  s.description = "record dax=" + std::string(to_string(v.dax)) + " for volume '" + v.name + "'";
  std::string const spec = volume_spec(v).dump();
  s.run = [&desired, name = v.name, spec](StepContext&) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(bool const changed, desired.put(name, spec));
    return changed ? Outcome::changed : Outcome::unchanged;
  };
  return s;
}

Result<Plan> plan_set_dax(state::DesiredState& desired, state::Journal& journal, Hooks* hooks,
                          json const& r) {
  DAXD_ASSIGN_OR_RETURN(Volume const old, request_volume(r));
  DAXD_ASSIGN_OR_RETURN(std::string const to_text, optional_string(r, "dax", ""));
  DAXD_ASSIGN_OR_RETURN(DaxMode const to, parse_dax_mode(to_text));
  Plan plan{kSetDax, "volume/" + old.name, {"volume/" + old.name}, {}, {}};
  if (old.dax == to) {
    plan.notes.push_back("volume '" + old.name + "' already has dax=" + to_text);
    return plan;
  }
  Volume changed = old;
  changed.dax = to;
  bool const dax_off = to != DaxMode::always;
  auto const q = quiesce_request(r, old, verb_for(to), dax_off);
  plan.steps.push_back(quiesce_step(old, q, hooks));
  plan.steps.push_back(unmount_step(old, old.dax));
  Step mount =
      mount_step(old, to, [&journal](StepContext& ctx) { record_stopped_time(journal, ctx); });
  mount.commit_point = true;  // the new mode is live: recovery finishes the change
  plan.steps.push_back(std::move(mount));
  plan.steps.push_back(update_desired_step(desired, changed));
  // Last: the applications hear "resume" once the new mode is live and recorded.
  if (hooks != nullptr) {
    plan.steps.push_back(resume_hooks_step(old, q, *hooks, journal, kQuiesceStep));
  }
  plan.notes.push_back("the filesystem is unmounted while the mode changes");
  return plan;
}

Result<void> preflight_set_dax(Hooks* hooks, json const& r, host::Host& host) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  DAXD_ASSIGN_OR_RETURN(std::string const to_text, optional_string(r, "dax", ""));
  DAXD_ASSIGN_OR_RETURN(DaxMode const to, parse_dax_mode(to_text));
  if (v.dax == to) return Ok();
  DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(host, v.mountpoint));
  if (!m || m->source != volume_node(v)) {
    return Fail(Errc::conflict, "volume '" + v.name + "' is not mounted at " + v.mountpoint +
                                    ": mount it before changing its dax mode");
  }
  DAXD_ASSIGN_OR_RETURN(auto const all, volume_consumers(host, v));
  for (auto const& c : all) {
    if (c.kind == ConsumerKind::holder) return Fail(volume_busy(v.name, verb_for(to), {c}));
  }
  auto q = quiesce_request(r, v, verb_for(to), to != DaxMode::always);
  DAXD_TRY(note_hooks(q, hooks));
  return check_quiesce(q, all);
}

}  // namespace

Result<json> normalise_set_dax(state::DesiredState& desired, std::string const& name,
                               json const& body) {
  if (!body.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  DAXD_ASSIGN_OR_RETURN(Volume const v, desired_volume(desired, name));
  if (v.filesystem == FsType::none || v.mountpoint.empty()) {
    return Fail(Errc::invalid_argument,
                "volume '" + name + "' has no filesystem mounted by daxd: dax does not apply");
  }
  DAXD_ASSIGN_OR_RETURN(std::string const dax, optional_string(body, "dax", ""));
  DAXD_ASSIGN_OR_RETURN(DaxMode const to, parse_dax_mode(dax));
  json out{{"name", name}, {"volume", volume_spec(v)}, {"dax", to_string(to)}};
  DAXD_TRY(detail::normalise_quiesce(body, out));
  return out;
}

namespace detail {

OperationType set_dax_type(state::DesiredState& desired, state::Journal& journal, Hooks* hooks) {
  return OperationType{
      kSetDax,
      [&desired, &journal, hooks](json const& r) {
        return plan_set_dax(desired, journal, hooks, r);
      },
      [hooks](json const& r, host::Host& host) { return preflight_set_dax(hooks, r, host); }};
}

}  // namespace detail

}  // namespace daxd::orchestrator
