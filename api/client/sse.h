// SPDX-License-Identifier: Apache-2.0
// Incremental parser for server-sent events (the text/event-stream format of the HTML spec).
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace daxd::api_client {

/// One dispatched event. `id` is the last event id seen on the stream (it persists across
/// events, as the spec's "last event ID"); `event` is "message" when the server named none.
struct SseEvent {
  std::string id;
  std::string event;
  std::string data;  // the data lines joined with '\n'

  friend bool operator==(SseEvent const&, SseEvent const&) = default;
};

/// Returns false to stop reading the stream.
using SseCallback = std::function<bool(SseEvent const&)>;

/// Feed it the body as it arrives, in chunks split anywhere. Lines end with LF, CRLF or CR;
/// lines starting with ':' are comments; "field: value" loses one space after the colon;
/// unknown fields are ignored; a blank line dispatches the event when it has data.
class SseParser {
 public:
  /// Parses `chunk`, calling `on_event` for every completed event. Returns false as soon as the
  /// callback does (the rest of the chunk is then dropped), true otherwise.
  bool feed(std::string_view chunk, SseCallback const& on_event);

  std::string const& last_event_id() const { return last_id_; }

 private:
  bool line(std::string_view text, SseCallback const& on_event);

  std::string pending_;   // an incomplete line
  bool skip_lf_ = false;  // the previous chunk ended in CR: a leading LF belongs to it
  std::string last_id_;
  std::string event_;
  std::string data_;
  bool has_data_ = false;
};

}  // namespace daxd::api_client
