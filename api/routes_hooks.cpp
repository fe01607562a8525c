// SPDX-License-Identifier: Apache-2.0
// /v1/hooks: register, list and remove quiesce hooks; acknowledge a quiesce request. Hooks are
// desired state, not kernel changes, so these routes answer at once without an operation.
#include <algorithm>
#include <charconv>
#include <string>

#include <nlohmann/json.hpp>

#include "api/problem.h"
#include "api/route_support.h"
#include "api/routes.h"
#include "api/server.h"
#include "daemon/orchestrator/hooks.h"

namespace daxd::api {

namespace {

using nlohmann::json;
namespace orch = orchestrator;

Result<orch::Hooks*> require_hooks(Services const& services) {
  if (services.hooks == nullptr) {
    return Fail(Errc::unavailable, "hooks are not available in this daxd");
  }
  return services.hooks;
}

Result<std::int64_t> parse_id(std::string const& text) {
  std::int64_t id = 0;
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || id <= 0) {
    return Fail(Errc::invalid_argument, "hook id '" + text + "' is not a positive integer");
  }
  return id;
}

Result<Response> add_hook(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* hooks, require_hooks(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const options, mutation_options(ctx));
  DAXD_ASSIGN_OR_RETURN(json const body, parse_body(ctx.request));
  DAXD_ASSIGN_OR_RETURN(auto const added, hooks->add(body, options.dry_run));
  if (options.dry_run) {
    return json_response(json{{"dry_run", true},
                              {"changed", false},
                              {"would_change", added.changed},
                              {"hook", orch::hook_json(added.hook)}});
  }
  json const out{{"changed", added.changed}, {"hook", orch::hook_json(added.hook)}};
  return json_response(out, added.changed ? 201 : 200);
}

Result<Response> list_hooks(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* hooks, require_hooks(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const all, hooks->list(ctx.query_value("volume")));
  json list = json::array();
  for (auto const& h : all) list.push_back(orch::hook_json(h));
  return json_response(json{{"hooks", std::move(list)}});
}

Result<Response> remove_hook(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* hooks, require_hooks(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const options, mutation_options(ctx));
  DAXD_ASSIGN_OR_RETURN(std::int64_t const id, parse_id(ctx.params.at("id")));
  if (options.dry_run) {
    DAXD_ASSIGN_OR_RETURN(auto const all, hooks->list());
    bool const exists =
        std::any_of(all.begin(), all.end(), [id](auto const& h) { return h.id == id; });
    return json_response(json{{"dry_run", true}, {"changed", false}, {"would_change", exists}});
  }
  DAXD_ASSIGN_OR_RETURN(bool const removed, hooks->remove(id));
  return json_response(json{{"changed", removed}});
}

Result<Response> ack_hook(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* hooks, require_hooks(ctx.services));
  DAXD_ASSIGN_OR_RETURN(std::int64_t const id, parse_id(ctx.params.at("id")));
  DAXD_ASSIGN_OR_RETURN(json const body, parse_body(ctx.request));
  if (!body.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  auto const op = body.find("operation");
  if (op == body.end() || !op->is_number_integer() || op->get<std::int64_t>() <= 0) {
    return Fail(Errc::invalid_argument, "'operation' must be the id of the operation asking");
  }
  auto const phase_it = body.find("phase");
  std::string phase_text = "quiesce";
  if (phase_it != body.end() && !phase_it->is_null()) {
    if (!phase_it->is_string()) return Fail(Errc::invalid_argument, "'phase' must be a string");
    phase_text = phase_it->get<std::string>();
  }
  DAXD_ASSIGN_OR_RETURN(auto const phase, orch::parse_hook_phase(phase_text));
  DAXD_TRY(hooks->acknowledge(id, op->get<std::int64_t>(), phase));
  Response res = json_response(json{{"acknowledged", true}});
  res.operation_id = op->get<std::int64_t>();  // the audit row names the operation acknowledged
  return res;
}

}  // namespace

void add_hook_routes(Router& router) {
  router.add("POST", "/v1/hooks", [](RouteContext const& ctx) { return respond(add_hook(ctx)); });
  router.add("GET", "/v1/hooks", [](RouteContext const& ctx) { return respond(list_hooks(ctx)); });
  router.add("DELETE", "/v1/hooks/{id}",
             [](RouteContext const& ctx) { return respond(remove_hook(ctx)); });
  router.add("POST", "/v1/hooks/{id}/ack",
             [](RouteContext const& ctx) { return respond(ack_hook(ctx)); });
}

}  // namespace daxd::api
