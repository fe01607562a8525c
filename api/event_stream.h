// SPDX-License-Identifier: Apache-2.0
// What GET /v1/events hands to the session: the replay, the live subscription, the filter; and
// the text/event-stream encoding of one event.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/event_hub.h"

namespace daxd::api {

/// A server-sent event stream in the making. The subscription was taken before the replay was
/// read, so live events that the replay already holds are skipped by id.
struct EventStream {
  std::shared_ptr<Subscription> subscription;
  std::vector<StoredEvent> replay;  // sent first, oldest first
  std::string type_filter;          // "" = every event
  std::int64_t last_id = 0;         // the newest id sent (or replayed); older live ones are dropped

  /// The wire text for `events` that pass the filter and are newer than last_id (advanced).
  std::string encode(std::vector<StoredEvent> const& events);
};

/// Whether an event of `type` passes `filter`: equal, or `filter` + "." prefix ("operation"
/// passes "operation.completed"); "" passes everything.
bool event_matches(std::string const& filter, std::string const& type);

/// `id: 7\nevent: operation\ndata: {"type":..,"object":..,"at_ms":..,"data":{...}}\n\n`.
std::string encode_event(StoredEvent const& event);

/// The comment sent on an idle stream so that proxies and clients know it is alive.
inline constexpr char kKeepAliveComment[] = ": keep-alive\n\n";

}  // namespace daxd::api
