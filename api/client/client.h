// SPDX-License-Identifier: Apache-2.0
// Synchronous HTTP/1.1 client for daxd's API over its unix socket (used by daxadm and tests).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/client/sse.h"
#include "daemon/model/result.h"

namespace daxd::api_client {

struct HttpResponse {
  unsigned status = 0;
  std::string content_type;  // as sent, parameters included ("application/json; charset=utf-8")
  std::string body;
};

/// One request per connection ("Connection: close"); no state is kept between requests.
class Client {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{30000};

  explicit Client(std::string socket_path, std::chrono::milliseconds timeout = kDefaultTimeout);

  /// Sends `method target` with `body` (and its content type when the body is not empty) and
  /// returns whatever status daxd answered, error statuses included.
  /// Errors: unavailable (cannot connect: no socket, refused, no permission),
  /// timeout (no complete answer within the timeout), io_error (connection broken, bad HTTP),
  /// invalid_argument (unknown method). `timeout` replaces the client's for this request (for
  /// long polls such as ?wait=SECONDS).
  Result<HttpResponse> request(std::string_view method, std::string_view target,
                               std::string_view body = {},
                               std::string_view content_type = "application/json",
                               std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  using Headers = std::vector<std::pair<std::string, std::string>>;

  /// GET `target` as a server-sent event stream (Accept: text/event-stream, plus `headers`, e.g.
  /// Last-Event-ID) and calls `on_event` for each event until it returns false or the server
  /// ends the stream. Connecting and the response head use the client's timeout; the body has
  /// none (the server sends keep-alive comments). Returns the response with an empty body when
  /// the stream was read (status 2xx), or with the whole body when daxd answered an error
  /// status (>= 400) or anything but text/event-stream. Errors as request().
  Result<HttpResponse> stream(std::string_view target, Headers const& headers,
                              SseCallback const& on_event);

  std::string const& socket_path() const { return socket_path_; }

 private:
  std::string socket_path_;
  std::chrono::milliseconds timeout_;
};

}  // namespace daxd::api_client
