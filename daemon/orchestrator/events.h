// SPDX-License-Identifier: Apache-2.0
// Where the orchestrator reports what happens: every operation change becomes an event.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace daxd::orchestrator {

struct Event {
  std::string type;     // "operation", "device-removed", ...
  std::string object;   // "operation/12", "namespace/db"
  nlohmann::json data;  // the object's current JSON
};

/// Implemented in main's wiring: persists (state::EventLog), streams (SSE), refreshes the
/// inventory. Must be thread-safe and must not block for long.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void publish(Event const& event) = 0;
};

}  // namespace daxd::orchestrator
