// SPDX-License-Identifier: Apache-2.0
// Quiesce hooks as users register them: exec (a program), http (a loopback callback) or event
// (an event-stream subscriber that acknowledges); validation and JSON.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/host/programs.h"
#include "daemon/model/result.h"

namespace daxd::orchestrator {

enum class HookKind { exec, http, event };
enum class HookPhase { quiesce, resume };

std::string_view to_string(HookKind k);
std::string_view to_string(HookPhase p);
/// Errors: invalid_argument.
Result<HookKind> parse_hook_kind(std::string_view text);
/// Errors: invalid_argument.
Result<HookPhase> parse_hook_phase(std::string_view text);

inline constexpr std::int64_t kDefaultHookTimeoutMs = 10000;
inline constexpr std::int64_t kMaxHookTimeoutMs = 600000;

/// Where an http hook is called: a unix socket or a loopback address (never a name to resolve).
struct HookUrl {
  std::string socket_path;  // "unix:/run/app.sock:/q" -> "/run/app.sock"; "" for TCP
  std::string host;         // "127.0.0.1" or "::1" (no brackets); "" for a unix socket
  std::uint16_t port = 80;
  std::string target = "/";  // the request target: path and query
  friend bool operator==(HookUrl const&, HookUrl const&) = default;
};

/// "http://127.0.0.1:PORT/path" (any 127.x.y.z), "http://[::1]:PORT/path" or
/// "unix:/abs/socket:/path". Errors: invalid_argument saying which part is wrong.
Result<HookUrl> parse_hook_url(std::string const& url);

struct HookSpec {
  std::int64_t id = 0;  // 0 until stored
  std::string volume;
  std::string name;
  HookKind kind = HookKind::event;
  std::vector<std::string> argv;  // exec
  std::string url;                // http
  std::chrono::milliseconds timeout{kDefaultHookTimeoutMs};

  /// Same hook apart from the id.
  bool same_spec(HookSpec const& o) const {
    return volume == o.volume && name == o.name && kind == o.kind && argv == o.argv &&
           url == o.url && timeout == o.timeout;
  }
};

/// Validates {volume, name, kind, argv? (exec), url? (http), timeout_ms?} without touching the
/// file system; exec programs are judged separately (check_hook_program). Unknown keys are
/// refused. Errors: invalid_argument with the reason.
Result<HookSpec> parse_hook_request(nlohmann::json const& body);

/// An exec hook's program runs with daxd's rights: it must be a regular file, executable, not
/// writable by others, and owned by root or by daxd's euid. Errors: invalid_argument with the
/// reason (also when it does not exist).
Result<void> check_hook_program(host::Programs& programs, std::string const& path);

/// {id, volume, name, kind, argv | url, timeout_ms}: the API's shape.
nlohmann::json hook_json(HookSpec const& h);
/// What is stored in state::HookRecord::spec_json: {name, argv | url, timeout_ms}.
std::string hook_spec_text(HookSpec const& h);
/// Back from a stored record. Errors: internal (unreadable record).
Result<HookSpec> hook_from_record(std::int64_t id, std::string const& volume,
                                  std::string const& kind, std::string const& spec_json);

}  // namespace daxd::orchestrator
