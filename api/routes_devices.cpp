// SPDX-License-Identifier: Apache-2.0
// Read-only helpers for admins and tests: dm devices and mounts (inventory View), and the
// consumers of a namespace or a volume (scanned fresh).
#include <string>

#include <nlohmann/json.hpp>

#include "api/problem.h"
#include "api/route_support.h"
#include "api/routes.h"
#include "api/server.h"
#include "daemon/model/json.h"
#include "daemon/orchestrator/consumers.h"
#include "daemon/orchestrator/namespace_ops.h"
#include "daemon/orchestrator/volume_consumers.h"
#include "daemon/orchestrator/volume_spec.h"

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

// The consumers of a desired volume's dm device: {"volume": NAME, "consumers": [...]}.
Result<Response> list_volume_consumers(RouteContext const& ctx, host::Host& host,
                                       std::string const& name) {
  if (ctx.services.desired == nullptr) {
    return Fail(Errc::unavailable, "daxd serves without its desired state: no volumes");
  }
  DAXD_ASSIGN_OR_RETURN(Volume const v, orchestrator::desired_volume(*ctx.services.desired, name));
  DAXD_ASSIGN_OR_RETURN(auto const consumers, orchestrator::volume_consumers(host, v));
  json list = json::array();
  for (auto const& c : consumers) list.push_back(c);
  return json_response(json{{"volume", name}, {"consumers", std::move(list)}});
}

// Never from the cache: the answer is what a preflight would see now.
Result<Response> list_consumers(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* host, require_host(ctx.services));
  auto const name = ctx.query_value("namespace");
  auto const volume = ctx.query_value("volume");
  if (!name.empty() && !volume.empty()) {
    return Fail(Errc::invalid_argument, "give query parameter 'namespace' or 'volume', not both");
  }
  if (!volume.empty()) return list_volume_consumers(ctx, *host, volume);
  if (name.empty()) {
    return Fail(Errc::invalid_argument, "query parameter 'namespace' or 'volume' is required");
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
