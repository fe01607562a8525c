// SPDX-License-Identifier: Apache-2.0
// Hooks run one after another in id order: an application that owns two hooks gets a
// predictable sequence, and the first failure ends the quiesce before anything is signalled.
#include "daemon/orchestrator/hooks.h"

#include <algorithm>

namespace daxd::orchestrator {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

std::string label(HookSpec const& h) {
  return "hook " + std::to_string(h.id) + " '" + h.name + "' (" + std::string(to_string(h.kind)) +
         ")";
}

std::string subject(HookCall const& c, HookSpec const& h) {
  return "volume '" + c.volume + "': " + label(h) + " " + std::string(to_string(c.phase));
}

std::vector<std::string> exec_env(HookSpec const& h, HookCall const& c) {
  return {"DAXD_PHASE=" + std::string(to_string(c.phase)),
          "DAXD_VOLUME=" + c.volume,
          "DAXD_MOUNTPOINT=" + c.mountpoint,
          "DAXD_OPERATION=" + std::to_string(c.operation),
          "DAXD_DEADLINE_MS=" + std::to_string(c.deadline.count()),
          "DAXD_HOOK=" + h.name};
}

json call_body(HookCall const& c) {
  return json{{"phase", to_string(c.phase)},
              {"volume", c.volume},
              {"mountpoint", c.mountpoint},
              {"operation", c.operation},
              {"deadline_ms", c.deadline.count()}};
}

}  // namespace

bool AckBoard::await(std::int64_t hook, std::int64_t operation, HookPhase phase,
                     std::function<void()> const& announce,
                     std::chrono::steady_clock::time_point until) {
  Key const key{hook, operation, phase};
  {
    std::lock_guard const lock(mu_);
    awaited_[key] = false;
  }
  announce();  // after the entry exists: an acknowledgement cannot arrive too early
  std::unique_lock lock(mu_);
  changed_.wait_until(lock, until, [&] { return awaited_[key]; });
  bool const acked = awaited_[key];
  awaited_.erase(key);
  return acked;
}

bool AckBoard::acknowledge(std::int64_t hook, std::int64_t operation, HookPhase phase) {
  std::lock_guard const lock(mu_);
  auto const it = awaited_.find(Key{hook, operation, phase});
  if (it == awaited_.end()) return false;
  it->second = true;
  changed_.notify_all();
  return true;
}

Hooks::Hooks(state::DesiredState& desired, host::Host& host, EventSink& events,
             HttpHookCaller http)
    : desired_(desired), host_(host), events_(events), http_(std::move(http)) {}

Result<Hooks::Added> Hooks::add(json const& body, bool dry_run) {
  DAXD_ASSIGN_OR_RETURN(HookSpec h, parse_hook_request(body));
  if (h.kind == HookKind::exec) DAXD_TRY(check_hook_program(host_.programs(), h.argv[0]));
  auto const volume = desired_.get(h.volume);
  if (!volume && volume.error().code == Errc::not_found) {
    return Fail(Errc::not_found, "volume '" + h.volume + "' not found: register hooks on a volume");
  }
  if (!volume) return Fail(volume.error());
  std::lock_guard const lock(add_mu_);
  DAXD_ASSIGN_OR_RETURN(auto const existing, list(h.volume));
  for (auto const& e : existing) {
    if (e.name != h.name) continue;
    if (e.same_spec(h)) return Added{e, false};
    return Fail(Errc::already_exists, "volume '" + h.volume + "': hook '" + h.name +
                                          "' exists with a different spec (id " +
                                          std::to_string(e.id) + ")");
  }
  if (dry_run) return Added{h, true};
  DAXD_ASSIGN_OR_RETURN(h.id, desired_.add_hook(h.volume, std::string(to_string(h.kind)),
                                                hook_spec_text(h)));
  return Added{h, true};
}

Result<std::vector<HookSpec>> Hooks::list(std::string const& volume) {
  DAXD_ASSIGN_OR_RETURN(auto const records, desired_.hooks(volume));
  std::vector<HookSpec> out;
  for (auto const& r : records) {
    DAXD_ASSIGN_OR_RETURN(HookSpec h, hook_from_record(r.id, r.volume, r.kind, r.spec_json));
    out.push_back(std::move(h));
  }
  return out;
}

Result<bool> Hooks::remove(std::int64_t id) {
  auto const removed = desired_.remove_hook(id);
  if (!removed && removed.error().code == Errc::not_found) return false;
  if (!removed) return Fail(removed.error());
  return true;
}

Result<void> Hooks::acknowledge(std::int64_t id, std::int64_t operation, HookPhase phase) {
  DAXD_ASSIGN_OR_RETURN(auto const all, list());
  bool const known = std::any_of(all.begin(), all.end(), [id](auto const& h) { return h.id == id; });
  if (!known) return Fail(Errc::not_found, "hook " + std::to_string(id) + " not found");
  if (board_.acknowledge(id, operation, phase) || phase == HookPhase::resume) return Ok();
  return Fail(Errc::conflict, "hook " + std::to_string(id) + ": no quiesce request of operation " +
                                  std::to_string(operation) +
                                  " is waiting (never sent, or it timed out)");
}

Result<bool> Hooks::any(std::string const& volume) {
  DAXD_ASSIGN_OR_RETURN(auto const records, desired_.hooks(volume));
  return !records.empty();
}

Result<std::vector<std::int64_t>> Hooks::quiesce(HookCall const& call) {
  HookCall c = call;
  c.phase = HookPhase::quiesce;
  DAXD_ASSIGN_OR_RETURN(auto const all, list(c.volume));
  std::vector<std::int64_t> called;
  for (auto const& h : all) {
    called.push_back(h.id);
    DAXD_TRY(call_one(h, c));
  }
  return called;
}

std::vector<std::string> Hooks::resume(HookCall const& call,
                                       std::optional<std::vector<std::int64_t>> const& only) {
  HookCall c = call;
  c.phase = HookPhase::resume;
  std::vector<std::string> failures;
  auto const all = list(c.volume);
  if (!all) return {"volume '" + c.volume + "': cannot list hooks to resume: " +
                    all.error().message};
  for (auto const& h : *all) {
    if (only && std::find(only->begin(), only->end(), h.id) == only->end()) continue;
    auto const done = call_one(h, c);
    if (done) continue;
    failures.push_back(done.error().message);
    events_.publish(Event{"hook-failed", "volume/" + c.volume,
                          json{{"operation", c.operation},
                               {"hook", h.id},
                               {"name", h.name},
                               {"phase", "resume"},
                               {"error", done.error().message}}});
  }
  return failures;
}

Result<void> Hooks::call_one(HookSpec const& h, HookCall const& call) {
  switch (h.kind) {
    case HookKind::exec:
      return call_exec(h, call);
    case HookKind::http:
      return call_http(h, call);
    case HookKind::event:
      return call_event(h, call);
  }
  return Ok();
}

Result<void> Hooks::call_exec(HookSpec const& h, HookCall const& call) {
  // Checked again: the file may have changed since it was registered.
  if (auto ok = check_hook_program(host_.programs(), h.argv[0]); !ok) {
    return Fail(Errc::busy, subject(call, h) + ": refused to run: " + ok.error().message);
  }
  auto const ran = host_.programs().run(h.argv, exec_env(h, call), h.timeout);
  if (!ran) return Fail(Errc::busy, subject(call, h) + ": " + ran.error().message);
  std::string const said = ran->stderr_excerpt.empty() ? "" : ": " + ran->stderr_excerpt;
  if (ran->timed_out) {
    return Fail(Errc::timeout, subject(call, h) + ": did not finish within " +
                                   std::to_string(h.timeout.count()) + " ms" + said);
  }
  if (ran->exit_code == 0) return Ok();
  std::string const how = ran->exit_code >= 0 ? "failed with status " + std::to_string(ran->exit_code)
                                              : "killed by signal " + std::to_string(ran->signal);
  return Fail(Errc::busy, subject(call, h) + ": " + how + said);
}

Result<void> Hooks::call_http(HookSpec const& h, HookCall const& call) {
  if (!http_) return Fail(Errc::busy, subject(call, h) + ": http hooks are not available");
  DAXD_ASSIGN_OR_RETURN(HookUrl const url, parse_hook_url(h.url));
  auto const answer = http_(url, call_body(call).dump(), h.timeout);
  if (!answer && answer.error().code == Errc::timeout) {
    return Fail(Errc::timeout, subject(call, h) + ": no answer from " + h.url + " within " +
                                   std::to_string(h.timeout.count()) + " ms");
  }
  if (!answer) return Fail(Errc::busy, subject(call, h) + ": " + answer.error().message);
  if (answer->status >= 200 && answer->status < 300) return Ok();
  std::string const said = answer->body_excerpt.empty() ? "" : ": " + answer->body_excerpt;
  return Fail(Errc::busy, subject(call, h) + ": " + h.url + " answered " +
                              std::to_string(answer->status) + said);
}

Result<void> Hooks::call_event(HookSpec const& h, HookCall const& call) {
  Event const e{"quiesce-request", "volume/" + call.volume,
                json{{"operation", call.operation},
                     {"hook", h.id},
                     {"name", h.name},
                     {"phase", to_string(call.phase)},
                     {"deadline_ms", call.deadline.count()},
                     {"timeout_ms", h.timeout.count()}}};
  if (call.phase == HookPhase::resume) {
    events_.publish(e);
    return Ok();
  }
  auto const until = std::chrono::steady_clock::now() + h.timeout;
  bool const acked = board_.await(
      h.id, call.operation, call.phase, [&] { events_.publish(e); }, until);
  if (acked) return Ok();
  return Fail(Errc::timeout, subject(call, h) + ": no acknowledgement within " +
                                 std::to_string(h.timeout.count()) + " ms (POST /v1/hooks/" +
                                 std::to_string(h.id) + "/ack)");
}

}  // namespace daxd::orchestrator
