// SPDX-License-Identifier: Apache-2.0
// Read-only helpers for admins and tests: dm devices and mounts (inventory View), and the
// consumers of a namespace (scanned fresh).
#include <string>

#include <nlohmann/json.hpp>

#include "api/problem.h"
#include "api/route_support.h"
#include "api/routes.h"
#include "api/server.h"
#include "daemon/model/json.h"
#include "daemon/orchestrator/consumers.h"
#include "daemon/orchestrator/namespace_ops.h"

namespace daxd::api {

namespace {

using nlohmann::json;

Response list_dm_devices(RouteContext const& ctx) {
  auto const view = ctx.services.inventory.current();
  json out = json::array();
  for (auto const& dm : view->dm_devices) out.push_back(dm);
  return json_response(out);
}

Response list_mounts(RouteContext const& ctx) {
  auto const view = ctx.services.inventory.current();
  json out = json::array();
  for (auto const& m : view->mounts) out.push_back(m);
  return json_response(out);
}

// Never from the cache: the answer is what a preflight would see now.
Result<Response> list_consumers(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* host, require_host(ctx.services));
  auto const name = ctx.query_value("namespace");
  if (name.empty()) {
    return Fail(Errc::invalid_argument, "query parameter 'namespace' is required");
  }
  DAXD_ASSIGN_OR_RETURN(Namespace const ns, orchestrator::find_namespace(*host, name));
  DAXD_ASSIGN_OR_RETURN(auto const consumers, orchestrator::namespace_consumers(*host, ns));
  json out = json::array();
  for (auto const& c : consumers) out.push_back(c);
  return json_response(out);
}

}  // namespace

void add_device_routes(Router& router) {
  router.add("GET", "/v1/dm-devices", list_dm_devices);
  router.add("GET", "/v1/mounts", list_mounts);
  router.add("GET", "/v1/consumers",
             [](RouteContext const& ctx) { return respond(list_consumers(ctx)); });
}

}  // namespace daxd::api
