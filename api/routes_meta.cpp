// SPDX-License-Identifier: Apache-2.0
// GET /healthz, GET /metrics and GET /v1/openapi.json.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "api/problem.h"
#include "api/routes.h"
#include "api/server.h"

#ifndef DAXD_VERSION
#define DAXD_VERSION "0.0.0"
#endif

namespace daxd::api {

namespace {

// Health means "the host answers", at most kHealthMaxAgeMs late: a probe every second from
// Kubernetes or a load balancer must not re-read every namespace each time (uevents and
// operations already mark the view stale). A refresh that fails is reported, not hidden behind
// the last good view.
constexpr std::int64_t kHealthMaxAgeMs = 5000;

Response healthz(RouteContext const& ctx) {
  auto view = ctx.services.inventory.fresh_within(kHealthMaxAgeMs);
  if (!view) {
    return problem(Errc::unavailable, "inventory cannot refresh: " + view.error().message);
  }
  nlohmann::json const j{{"status", "ok"},
                         {"version", DAXD_VERSION},
                         {"host", ctx.services.host_description},
                         {"inventory_generation", (*view)->generation}};
  return json_response(j);
}

Response metrics(RouteContext const& ctx) {
  auto const view = ctx.services.inventory.current();
  std::string body =
      "# HELP daxd_up Whether daxd is serving requests.\n"
      "# TYPE daxd_up gauge\n"
      "daxd_up 1\n"
      "# HELP daxd_inventory_generation Generation of the published inventory view.\n"
      "# TYPE daxd_inventory_generation gauge\n"
      "daxd_inventory_generation " +
      std::to_string(view->generation) + "\n";
  if (ctx.services.metrics) body += ctx.services.metrics->render_requests();
  Response res;
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  res.body = std::move(body);
  return res;
}

// Served verbatim: the file in the source tree is the contract.
Response openapi(RouteContext const&) {
  Response res;
  res.body = std::string(openapi_document());
  return res;
}

}  // namespace

void add_meta_routes(Router& router) {
  router.add("GET", "/healthz", healthz);
  router.add("GET", "/metrics", metrics);
  router.add("GET", "/v1/openapi.json", openapi);
}

}  // namespace daxd::api
