// SPDX-License-Identifier: Apache-2.0
// Quiesce hooks: the registry (stored in the desired state), the runner that asks every hook of
// a volume to let go or to resume, and the board where event subscribers acknowledge.
#pragma once

#include <chrono>
#include <compare>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/host/host.h"
#include "daemon/model/result.h"
#include "daemon/orchestrator/events.h"
#include "daemon/orchestrator/hook_spec.h"
#include "state/desired_state.h"

namespace daxd::orchestrator {

/// What an http hook's server answered.
struct HttpAnswer {
  unsigned status = 0;
  std::string body_excerpt;
};

/// POSTs `body` (JSON) to `url` within `timeout`. daemon/ knows no HTTP: api/ provides it.
/// Errors: timeout, unavailable (nothing listens), io_error.
using HttpHookCaller = std::function<Result<HttpAnswer>(
    HookUrl const& url, std::string const& body, std::chrono::milliseconds timeout)>;

/// What every hook of a volume is told, in one phase of one operation.
struct HookCall {
  std::string volume;
  std::string mountpoint;
  std::int64_t operation = 0;
  HookPhase phase = HookPhase::quiesce;
  std::chrono::milliseconds deadline{0};  // how long daxd waits for the processes afterwards
};

/// Where event-hook acknowledgements meet the runner waiting for them. Thread-safe.
class AckBoard {
 public:
  /// Marks (hook, operation, phase) as awaited, runs `announce` (emits the event), then waits
  /// until it is acknowledged or `until` passes. Returns whether it was acknowledged.
  bool await(std::int64_t hook, std::int64_t operation, HookPhase phase,
             std::function<void()> const& announce, std::chrono::steady_clock::time_point until);
  /// Returns false when nothing awaits (hook, operation, phase).
  bool acknowledge(std::int64_t hook, std::int64_t operation, HookPhase phase);

 private:
  struct Key {
    std::int64_t hook;
    std::int64_t operation;
    HookPhase phase;
    auto operator<=>(Key const&) const = default;
  };
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<Key, bool> awaited_;  // value: acknowledged
};

/// The registry and the runner. Exec hooks run through host.programs() with DAXD_PHASE,
/// DAXD_VOLUME, DAXD_MOUNTPOINT, DAXD_OPERATION, DAXD_DEADLINE_MS, DAXD_HOOK (its name) as
/// their whole environment (plus PATH); http hooks get POST {phase, volume, mountpoint,
/// operation, deadline_ms}; event hooks get a `quiesce-request` event on `events` and are
/// awaited on the ack board. Thread-safe. `desired`, `host` and `events` must outlive it.
class Hooks {
 public:
  Hooks(state::DesiredState& desired, host::Host& host, EventSink& events,
        HttpHookCaller http = {});

  struct Added {
    HookSpec hook;
    bool changed = false;  // false: the same hook was already there
  };
  /// Registers a hook from an API body (parse_hook_request); the volume must be desired; an exec
  /// program is checked (check_hook_program). Errors: invalid_argument, not_found (volume),
  /// already_exists (same volume and name, different spec), io_error. With `dry_run` every
  /// check runs but nothing is stored (changed: whether it would be added; id 0 then).
  Result<Added> add(nlohmann::json const& body, bool dry_run = false);
  /// Hooks of `volume` (every hook when empty), by id. Errors: io_error, internal.
  Result<std::vector<HookSpec>> list(std::string const& volume = {});
  /// Returns false when there was no such hook. Errors: io_error.
  Result<bool> remove(std::int64_t id);
  /// An event subscriber's acknowledgement. Errors: not_found (no such hook), conflict (no
  /// quiesce request of that operation is waiting: never sent, or timed out). A resume
  /// acknowledgement is accepted without a waiter (daxd does not wait for those).
  Result<void> acknowledge(std::int64_t id, std::int64_t operation, HookPhase phase);

  /// Whether `volume` has any hook. Errors: io_error.
  Result<bool> any(std::string const& volume);
  /// Calls every hook of call.volume with phase quiesce, in id order, stopping at the first
  /// that fails; returns the ids called (all of them on success). Errors: timeout (a hook did
  /// not answer within its timeout_ms), busy (a hook failed: status, stderr or HTTP answer in
  /// the message), io_error. Each error names the hook.
  Result<std::vector<std::int64_t>> quiesce(HookCall const& call);
  /// Calls the hooks `only` lists (every hook of the volume when nullopt) with phase resume,
  /// best effort: returns one message per failure and publishes a `hook-failed` event for it.
  /// Event hooks get their event; daxd does not wait for an acknowledgement.
  std::vector<std::string> resume(HookCall const& call,
                                  std::optional<std::vector<std::int64_t>> const& only);

 private:
  Result<void> call_one(HookSpec const& h, HookCall const& call);
  Result<void> call_exec(HookSpec const& h, HookCall const& call);
  Result<void> call_http(HookSpec const& h, HookCall const& call);
  Result<void> call_event(HookSpec const& h, HookCall const& call);

  state::DesiredState& desired_;
  host::Host& host_;
  EventSink& events_;
  HttpHookCaller http_;
  AckBoard board_;
  std::mutex add_mu_;  // makes "same (volume, name)?" and the insert one step
};

}  // namespace daxd::orchestrator
