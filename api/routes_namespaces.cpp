// SPDX-License-Identifier: Apache-2.0
// POST/DELETE/PATCH /v1/namespaces: namespace lifecycle through the engine (idempotent create,
// dry runs, ?wait=). The routes validate and submit; the engine's preflight decides refusals.
#include <string>

#include <nlohmann/json.hpp>

#include "api/problem.h"
#include "api/route_support.h"
#include "api/routes.h"
#include "api/server.h"
#include "daemon/model/json.h"
#include "daemon/orchestrator/namespace_ops.h"
#include "daemon/orchestrator/orchestrator.h"

namespace daxd::api {

namespace {

using nlohmann::json;
namespace orch = orchestrator;

/// The namespace as the host shows it now, or nothing (the answer then carries only the
/// operation).
std::optional<json> fresh_namespace(host::Host& host, std::string const& name) {
  auto ns = orch::find_namespace(host, name);
  if (!ns) return std::nullopt;
  return namespace_json(*ns);
}

Result<Response> create_namespace(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* engine, require_engine(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const options, mutation_options(ctx));
  DAXD_ASSIGN_OR_RETURN(json const body, parse_body(ctx.request));
  DAXD_ASSIGN_OR_RETURN(json const request, orch::normalise_create_namespace(body));
  host::Host& host = *ctx.services.host;
  // CSI semantics: the same spec again is a success that changes nothing.
  DAXD_ASSIGN_OR_RETURN(auto const existing, orch::existing_namespace(host, request));
  if (existing) {
    json out{{"changed", false}, {"namespace", namespace_json(*existing)}};
    if (options.dry_run) out["dry_run"] = true;
    return json_response(out);
  }
  if (options.dry_run) return dry_run_answer(*engine, orch::kCreateNamespace, request);
  DAXD_ASSIGN_OR_RETURN(auto submitted, engine->submit(orch::kCreateNamespace, request));
  ctx.services.inventory.invalidate();
  std::string const name = request.at("name");
  return finish_mutation(ctx.services, std::move(submitted.operation), options.wait,
                         [&](Operation const& op) {
                           json out{{"changed", true}, {"operation", op}};
                           if (auto ns = fresh_namespace(host, name)) out["namespace"] = *ns;
                           return json_response(out, 201);
                         });
}

/// The body of DELETE/PATCH with force and policy also taken from the query.
Result<json> change_body(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(json body, parse_body(ctx.request, json::object()));
  if (!body.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  DAXD_ASSIGN_OR_RETURN(auto const force, bool_query(ctx, "force"));
  if (force) body["force"] = *force;
  if (auto const policy = ctx.query.find("policy"); policy != ctx.query.end()) {
    body["policy"] = policy->second;
  }
  return body;
}

Result<Response> destroy_namespace(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* engine, require_engine(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const options, mutation_options(ctx));
  DAXD_ASSIGN_OR_RETURN(json const body, change_body(ctx));
  DAXD_ASSIGN_OR_RETURN(json const request, orch::normalise_namespace_change(
                                                *ctx.services.host, orch::kDestroyNamespace,
                                                ctx.params.at("name"), body));
  if (options.dry_run) return dry_run_answer(*engine, orch::kDestroyNamespace, request);
  DAXD_ASSIGN_OR_RETURN(auto submitted, engine->submit(orch::kDestroyNamespace, request));
  ctx.services.inventory.invalidate();
  return finish_mutation(ctx.services, std::move(submitted.operation), options.wait,
                         [](Operation const& op) {
                           return json_response(json{{"changed", true}, {"operation", op}});
                         });
}

Result<Response> reconfigure_namespace(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* engine, require_engine(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const options, mutation_options(ctx));
  DAXD_ASSIGN_OR_RETURN(json const body, change_body(ctx));
  host::Host& host = *ctx.services.host;
  DAXD_ASSIGN_OR_RETURN(json const request,
                        orch::normalise_namespace_change(host, orch::kReconfigureNamespace,
                                                         ctx.params.at("name"), body));
  if (options.dry_run) return dry_run_answer(*engine, orch::kReconfigureNamespace, request);
  // "changed" is decided by the same test the step makes (mode already right and enabled); the
  // operation still runs, so that its step reports unchanged in the journal and the events.
  std::string const name = request.at("name");
  DAXD_ASSIGN_OR_RETURN(Namespace const before, orch::find_namespace(host, name));
  bool const changed =
      !(before.enabled && to_string(before.mode) == request.at("mode").get<std::string>());
  DAXD_ASSIGN_OR_RETURN(auto submitted, engine->submit(orch::kReconfigureNamespace, request));
  ctx.services.inventory.invalidate();
  return finish_mutation(ctx.services, std::move(submitted.operation), options.wait,
                         [&](Operation const& op) {
                           json out{{"changed", changed}, {"operation", op}};
                           if (auto ns = fresh_namespace(host, name)) out["namespace"] = *ns;
                           return json_response(out);
                         });
}

}  // namespace

void add_namespace_change_routes(Router& router) {
  router.add("POST", "/v1/namespaces",
             [](RouteContext const& ctx) { return respond(create_namespace(ctx)); });
  router.add("DELETE", "/v1/namespaces/{name}",
             [](RouteContext const& ctx) { return respond(destroy_namespace(ctx)); });
  router.add("PATCH", "/v1/namespaces/{name}",
             [](RouteContext const& ctx) { return respond(reconfigure_namespace(ctx)); });
}

}  // namespace daxd::api
