// SPDX-License-Identifier: Apache-2.0
// Server-sent event encoding. The payload is re-serialised on one line: a newline inside a
// data field would split the event.
#include "api/event_stream.h"

#include <nlohmann/json.hpp>

namespace daxd::api {

bool event_matches(std::string const& filter, std::string const& type) {
  if (filter.empty() || filter == type) return true;
  return type.size() > filter.size() && type.compare(0, filter.size(), filter) == 0 &&
         type[filter.size()] == '.';
}

std::string encode_event(StoredEvent const& event) {
  auto data = nlohmann::json::parse(event.data_json, nullptr, /*allow_exceptions=*/false);
  if (data.is_discarded()) {
    data = event.data_json.empty() ? nlohmann::json() : nlohmann::json(event.data_json);
  }
  nlohmann::json const body{{"type", event.type},
                            {"object", event.object},
                            {"at_ms", event.at_ms},
                            {"data", std::move(data)}};
  std::string out;
  if (event.id > 0) out += "id: " + std::to_string(event.id) + "\n";
  // The event name is a single line by construction, but it comes from the engine: keep it so.
  std::string name = event.type;
  for (auto& c : name) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  out += "event: " + name + "\n";
  out += "data: " + body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
  return out;
}

std::string EventStream::encode(std::vector<StoredEvent> const& events) {
  std::string out;
  for (auto const& e : events) {
    // Events that could not be stored have id 0: live-only, never a duplicate of the replay.
    if (e.id != 0 && e.id <= last_id) continue;
    if (e.id != 0) last_id = e.id;
    if (event_matches(type_filter, e.type)) out += encode_event(e);
  }
  return out;
}

}  // namespace daxd::api
