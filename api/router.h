// SPDX-License-Identifier: Apache-2.0
// Method + path pattern ("/v1/regions/{dev}") dispatch with 404 for unknown paths and 405 + Allow.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"

namespace daxd::api {

struct Services;

/// Everything a route handler may look at; handlers do no I/O beyond the services.
struct RouteContext {
  Request const& request;
  Peer const& peer;
  Services& services;
  std::map<std::string, std::string> params;  // {name} segments, percent-decoded
  std::map<std::string, std::string> query;   // ?key=value, percent-decoded

  /// The value of a query parameter, or "" when absent.
  std::string query_value(std::string const& key) const;
};

using RouteHandler = std::function<Response(RouteContext const&)>;

/// The path of a target without its query, percent-decoding left to the caller.
std::string_view target_path(std::string_view target);
/// "a=1&b=x%20y" -> {a:1, b:"x y"}; a key without '=' maps to "".
std::map<std::string, std::string> parse_query(std::string_view target);
/// "%2F" -> "/", "+" stays "+" (paths, not forms). Invalid escapes are kept as they are.
std::string percent_decode(std::string_view text);

class Router {
 public:
  /// Registers `handler` for `method` on `pattern`; segments "{name}" match one path segment.
  void add(std::string method, std::string_view pattern, RouteHandler handler);

  /// Runs the matching handler; 404 problem for an unknown path, 405 problem with an Allow
  /// header when the path is known but not with this method.
  Response dispatch(Request const& request, Peer const& peer, Services& services) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    RouteHandler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace daxd::api
