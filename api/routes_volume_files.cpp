// SPDX-License-Identifier: Apache-2.0
// GET and PATCH /v1/volumes/{name}/files: the per-file DAX flag of a volume's file or directory
// (read fresh from the host; changed through the engine's set-file-dax operation).
#include <string>

#include <nlohmann/json.hpp>

#include "api/problem.h"
#include "api/route_support.h"
#include "api/routes.h"
#include "api/server.h"
#include "daemon/model/json.h"
#include "daemon/orchestrator/file_dax.h"
#include "daemon/orchestrator/orchestrator.h"
#include "daemon/orchestrator/volume_spec.h"
#include "state/desired_state.h"

namespace daxd::api {

namespace {

using nlohmann::json;
namespace orch = orchestrator;

Result<Response> get_file(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* host, require_host(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto* desired, require_desired(ctx.services));
  auto const path = ctx.query.find("path");
  if (path == ctx.query.end() || path->second.empty()) {
    return Fail(Errc::invalid_argument, "query parameter 'path' is required");
  }
  DAXD_ASSIGN_OR_RETURN(Volume const v, orch::desired_volume(*desired, ctx.params.at("name")));
  DAXD_ASSIGN_OR_RETURN(json const file, orch::file_dax_json(*host, v, path->second));
  return json_response(file);
}

Result<Response> patch_file(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* engine, require_engine(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto* host, require_host(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto* desired, require_desired(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const options, mutation_options(ctx));
  DAXD_ASSIGN_OR_RETURN(json body, parse_body(ctx.request));
  if (!body.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  if (auto const policy = ctx.query.find("policy"); policy != ctx.query.end()) {
    body["policy"] = policy->second;
  }
  std::string const name = ctx.params.at("name");
  DAXD_ASSIGN_OR_RETURN(json const request,
                        orch::normalise_set_file_dax(*host, *desired, name, body));
  if (options.dry_run) {
    DAXD_ASSIGN_OR_RETURN(json plan, engine->dry_run(orch::kSetFileDax, request));
    return json_response(json{{"dry_run", true}, {"changed", false}, {"plan", std::move(plan)}});
  }
  DAXD_ASSIGN_OR_RETURN(bool const changed, orch::set_file_dax_changes(*host, request));
  DAXD_ASSIGN_OR_RETURN(auto submitted, engine->submit(orch::kSetFileDax, request));
  DAXD_ASSIGN_OR_RETURN(Volume const v, orch::request_volume(request));
  std::string const path = request.at("path");
  return finish_mutation(ctx.services, std::move(submitted.operation), options.wait,
                         [&](Operation const& op) {
                           json out{{"changed", changed}, {"operation", op}};
                           if (auto file = orch::file_dax_json(*host, v, path)) out["file"] = *file;
                           return json_response(out);
                         });
}

}  // namespace

void add_volume_file_routes(Router& router) {
  router.add("GET", "/v1/volumes/{name}/files",
             [](RouteContext const& ctx) { return respond(get_file(ctx)); });
  router.add("PATCH", "/v1/volumes/{name}/files",
             [](RouteContext const& ctx) { return respond(patch_file(ctx)); });
}

}  // namespace daxd::api
