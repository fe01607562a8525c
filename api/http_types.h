// SPDX-License-Identifier: Apache-2.0
// The transport-free request, response and peer that the pure request handler works on.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace daxd::api {

/// One parsed HTTP request, already read in full by the session.
struct Request {
  std::string method;        // "GET", "POST", ... as sent
  std::string target;        // "/v1/namespaces?region=region0"
  std::string content_type;  // the Content-Type header, "" when absent
  std::string body;
  unsigned version = 11;      // 10 or 11
  std::string last_event_id;  // the Last-Event-ID header (event stream replay), "" when absent
  std::string authorization;  // the Authorization header ("Bearer ..."), "" when absent
  std::string if_none_match;  // the If-None-Match header (conditional GET), "" when absent
};

struct EventStream;

/// What the session writes back. Content-Length and Connection are the session's business.
struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Allow
  std::string problem;  // the problem type name ("not_found") when this is an error response
  std::int64_t operation_id = 0;  // the operation a mutation started, for the audit record
  /// Set for an event stream: the session writes the head, then the events as they arrive.
  std::shared_ptr<EventStream> stream;
};

/// Who sent the request. TCP peers have no credentials: uid/gid kNoId, pid 0.
struct Peer {
  static constexpr std::uint32_t kNoId = 0xffffffffU;
  std::uint32_t uid = kNoId;
  std::uint32_t gid = kNoId;
  std::int32_t pid = 0;
  bool is_unix = false;      // came over the unix socket (credentials are real); not "unix",
                             // which GNU mode predefines as a macro
  bool local_admin = false;  // uid 0 or a member of ServerOptions::admin_group
};

/// Whether the method changes state and so needs an admin peer and an audit record.
bool is_mutating(std::string_view method);

}  // namespace daxd::api
