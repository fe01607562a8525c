// SPDX-License-Identifier: Apache-2.0
// The event log behind /v1/events: numbered events kept for clients that reconnect.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/model/result.h"
#include "state/database.h"

namespace daxd::state {

struct Event {
  std::int64_t id = 0;  // the server-sent event id; only grows, never reused
  std::int64_t at_ms = 0;
  std::string type;       // "operation.completed", "volume.created", ...
  std::string object;     // "volume/db"
  std::string data_json;  // the event payload
  friend bool operator==(Event const&, Event const&) = default;
};

/// Append-only event log keeping the newest `keep` events (older ones are pruned on append).
/// Thread-safe (see Database). Errors of every method: io_error.
class EventLog {
 public:
  static constexpr std::size_t kDefaultKeep = 10000;

  EventLog(Database& db, NowMs now, std::size_t keep = kDefaultKeep)
      : db_(db), now_(std::move(now)), keep_(keep) {}

  /// Appends an event stamped with the clock and returns its id.
  Result<std::int64_t> append(std::string const& type, std::string const& object,
                              std::string const& data_json);
  /// Up to `limit` events with id > since_id, oldest first. When since_id is older than the
  /// oldest kept event, the caller missed events (compare with oldest_id()).
  Result<std::vector<Event>> since(std::int64_t since_id, int limit);
  /// The id of the oldest kept event (0 when empty).
  Result<std::int64_t> oldest_id();
  /// The id of the newest event ever appended (0 when none), also after pruning.
  Result<std::int64_t> last_id();
  /// Deletes all but the newest `keep` events; returns how many were deleted.
  Result<std::int64_t> prune(std::size_t keep);

 private:
  Database& db_;
  NowMs now_;
  std::size_t keep_;
};

}  // namespace daxd::state
