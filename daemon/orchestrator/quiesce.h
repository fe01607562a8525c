// SPDX-License-Identifier: Apache-2.0
// The quiesce protocol's process side: refuse, wait for, or terminate the users of a volume.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/host/host.h"
#include "daemon/model/consumer.h"
#include "daemon/model/result.h"

namespace daxd::orchestrator {

enum class QuiescePolicy { refuse, wait, terminate };

std::string_view to_string(QuiescePolicy p);
/// Errors: invalid_argument.
Result<QuiescePolicy> parse_quiesce_policy(std::string_view text);

struct QuiesceRequest;

/// The seam for application hooks (exec, HTTP, event-stream acknowledgements): asked to let go
/// of the volume before daxd waits or signals. An empty hook is skipped.
using QuiesceHook = std::function<Result<void>(QuiesceRequest const& request)>;

/// Reads the current consumers afresh (never from a cache).
using ConsumerScan = std::function<Result<std::vector<Consumer>>()>;

struct QuiesceRequest {
  std::string volume;
  QuiescePolicy policy = QuiescePolicy::refuse;
  std::chrono::milliseconds deadline{5000};
  bool dax_off = false;  // the change turns DAX off: MAP_SYNC mappings block unless terminated
  std::string verb;      // what is refused, for messages: "change dax to never"
  std::string mountpoint;         // told to the hooks
  std::int64_t operation_id = 0;  // told to the hooks
  bool has_hooks = false;  // hooks are registered: `wait` lets them remove a MAP_SYNC mapping
  QuiesceHook hook;        // may be empty; called by wait and terminate, never by refuse
};

/// The preflight verdict, changing nothing: refuse fails on any process consumer, wait fails
/// on a MAP_SYNC mapping when DAX goes off (unless has_hooks: a hook may end it), terminate
/// passes. Errors: busy listing every blocker.
Result<void> check_quiesce(QuiesceRequest const& request, std::vector<Consumer> const& found);

/// No process uses the volume any more: refuse checks, wait calls the hook then polls until the
/// deadline, terminate calls the hook then sends SIGTERM, then SIGKILL to those left at the
/// deadline. A failing hook ends the quiesce with its error (timeout, busy). Mounts and holders
/// are not processes and are left alone. Errors: busy listing those still there, the host's.
Result<void> quiesce(host::Host& host, QuiesceRequest const& request, ConsumerScan const& scan);

}  // namespace daxd::orchestrator
