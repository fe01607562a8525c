// SPDX-License-Identifier: Apache-2.0
// Line splitting keeps a partial line between chunks because the socket delivers bytes, not
// lines; everything else follows the "interpret an event stream" algorithm of the HTML spec.
#include "api/client/sse.h"

namespace daxd::api_client {

bool SseParser::feed(std::string_view chunk, SseCallback const& on_event) {
  std::size_t pos = 0;
  if (skip_lf_ && !chunk.empty()) {
    skip_lf_ = false;
    if (chunk.front() == '\n') pos = 1;
  }
  while (pos < chunk.size()) {
    std::size_t const end = chunk.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) {
      pending_.append(chunk.substr(pos));
      return true;
    }
    pending_.append(chunk.substr(pos, end - pos));
    pos = end + 1;
    if (chunk[end] == '\r') {
      if (pos == chunk.size()) {
        skip_lf_ = true;
      } else if (chunk[pos] == '\n') {
        ++pos;
      }
    }
    std::string const text = std::move(pending_);
    pending_.clear();
    if (!line(text, on_event)) return false;
  }
  return true;
}

bool SseParser::line(std::string_view text, SseCallback const& on_event) {
  if (text.empty()) {  // dispatch
    bool keep_going = true;
    if (has_data_) {
      SseEvent const ev{last_id_, event_.empty() ? std::string("message") : event_, data_};
      keep_going = on_event(ev);
    }
    event_.clear();
    data_.clear();
    has_data_ = false;
    return keep_going;
  }
  if (text.front() == ':') return true;  // comment (": keep-alive")
  std::size_t const colon = text.find(':');
  std::string_view const field = text.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = text.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) data_ += '\n';
    data_.append(value);
    has_data_ = true;
  } else if (field == "event") {
    event_ = std::string(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_ = std::string(value);
  }
  return true;  // "retry" and unknown fields are ignored
}

}  // namespace daxd::api_client
