// SPDX-License-Identifier: Apache-2.0
// Shared route logic. Waits are cut into slices so that a stopping server is not held up by a
// client that asked to wait an hour.
#include "api/route_support.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "api/problem.h"
#include "api/routes.h"
#include "daemon/model/json.h"
#include "daemon/orchestrator/orchestrator.h"

namespace daxd::api {

namespace {

constexpr std::chrono::milliseconds kWaitSlice{250};

constexpr std::array kAllErrc{Errc::invalid_argument, Errc::not_found,   Errc::already_exists,
                              Errc::conflict,         Errc::busy,        Errc::permission_denied,
                              Errc::unsupported,      Errc::no_space,    Errc::io_error,
                              Errc::timeout,          Errc::unavailable, Errc::internal};

}  // namespace

Result<std::optional<bool>> bool_query(RouteContext const& ctx, std::string const& key) {
  auto const it = ctx.query.find(key);
  if (it == ctx.query.end()) return std::optional<bool>();
  if (it->second.empty() || it->second == "true" || it->second == "1") return std::optional(true);
  if (it->second == "false" || it->second == "0") return std::optional(false);
  return Fail(Errc::invalid_argument,
              "query parameter '" + key + "' must be true or false, not '" + it->second + "'");
}

Result<std::chrono::seconds> wait_option(RouteContext const& ctx) {
  auto const it = ctx.query.find("wait");
  if (it == ctx.query.end()) return std::chrono::seconds(0);
  std::string const& text = it->second;
  int seconds = -1;
  auto const [end, err] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || err != std::errc() || end != text.data() + text.size() || seconds < 0 ||
      seconds > kMaxWaitSeconds) {
    return Fail(Errc::invalid_argument, "query parameter 'wait' must be 0.." +
                                            std::to_string(kMaxWaitSeconds) + " seconds, not '" +
                                            text + "'");
  }
  return std::chrono::seconds(seconds);
}

Result<MutationOptions> mutation_options(RouteContext const& ctx) {
  MutationOptions out;
  DAXD_ASSIGN_OR_RETURN(auto const dry, bool_query(ctx, "dry_run"));
  out.dry_run = dry.value_or(false);
  DAXD_ASSIGN_OR_RETURN(out.wait, wait_option(ctx));
  return out;
}

Result<nlohmann::json> parse_body(Request const& request, nlohmann::json empty_as) {
  bool const blank = request.body.find_first_not_of(" \t\r\n") == std::string::npos;
  if (blank) {
    if (empty_as.is_null()) return Fail(Errc::invalid_argument, "request body is required (JSON)");
    return empty_as;
  }
  auto body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return Fail(Errc::invalid_argument, "request body is not valid JSON");
  return body;
}

Result<orchestrator::Orchestrator*> require_engine(Services const& services) {
  if (services.orchestrator == nullptr || services.host == nullptr) {
    return Fail(Errc::unavailable, "daxd serves without its engine: changes are not possible");
  }
  return services.orchestrator;
}

Result<host::Host*> require_host(Services const& services) {
  if (services.host == nullptr) return Fail(Errc::unavailable, "daxd serves without a host");
  return services.host;
}

Result<state::DesiredState*> require_desired(Services const& services) {
  if (services.desired == nullptr) {
    return Fail(Errc::unavailable, "daxd serves without its desired state: volumes are read-only");
  }
  return services.desired;
}

Response dry_run_answer(orchestrator::Orchestrator& engine, std::string const& type,
                        nlohmann::json const& request) {
  auto plan = engine.dry_run(type, request);
  if (!plan) return problem(plan.error());
  return json_response(
      nlohmann::json{{"dry_run", true}, {"changed", false}, {"plan", std::move(*plan)}});
}

Result<nlohmann::json> quiesce_body(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(nlohmann::json body, parse_body(ctx.request, nlohmann::json::object()));
  if (!body.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  if (auto const policy = ctx.query.find("policy"); policy != ctx.query.end()) {
    body["policy"] = policy->second;
  }
  if (auto const it = ctx.query.find("deadline_ms"); it != ctx.query.end()) {
    std::string const& text = it->second;
    std::uint64_t ms = 0;
    auto const [end, err] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (text.empty() || err != std::errc() || end != text.data() + text.size()) {
      return Fail(Errc::invalid_argument,
                  "query parameter 'deadline_ms' must be milliseconds, not '" + text + "'");
    }
    body["deadline_ms"] = ms;
  }
  return body;
}

nlohmann::json with_extent_aliases(nlohmann::json body) {
  auto const extents = body.find("extents");
  if (extents == body.end() || !extents->is_array()) return body;
  for (auto& e : *extents) {
    if (e.is_object() && e.contains("size") && !e.contains("length")) {
      e["length"] = e["size"];
      e.erase("size");
    }
  }
  return body;
}

Result<Operation> wait_operation(Services const& services, std::int64_t id,
                                 std::chrono::seconds limit) {
  DAXD_ASSIGN_OR_RETURN(auto* engine, require_engine(services));
  auto const deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto const slice = std::clamp(left, std::chrono::milliseconds(0), kWaitSlice);
    DAXD_ASSIGN_OR_RETURN(Operation op, engine->wait(id, slice));
    if (is_final(op.state)) {
      // Final in the journal may still be a moment before it is published (its locks freed);
      // the engine's wait returns as soon as it is.
      return engine->wait(id, kWaitSlice);
    }
    bool const stopping = services.events && services.events->closed();
    if (left <= kWaitSlice || stopping) return op;
  }
}

std::optional<Errc> errc_named(std::string const& name) {
  for (auto const code : kAllErrc) {
    if (to_string(code) == name) return code;
  }
  return std::nullopt;
}

Response operation_problem(Operation const& op) {
  Errc const code = errc_named(op.error_code).value_or(Errc::internal);
  std::string detail = op.error;
  if (detail.empty()) {
    detail = "operation " + std::to_string(op.id) + " " + std::string(to_string(op.state));
  }
  return problem(Error{code, std::move(detail)}, op.id);
}

nlohmann::json namespace_json(Namespace const& ns) {
  // The model JSON is ndctl-shaped (no region key inside a namespace); API clients nest
  // namespaces under regions, so the route adds it.
  nlohmann::json j = ns;
  j["region"] = ns.region;
  return j;
}

std::optional<nlohmann::json> view_volume(Services& services, std::string const& name) {
  services.inventory.invalidate();
  auto const view = services.inventory.current();
  for (auto const& v : view->volumes) {
    if (v.name == name) return nlohmann::json(v);
  }
  return std::nullopt;
}

Response finish_mutation(Services const& services, Operation op, std::chrono::seconds wait,
                         std::function<Response(Operation const&)> const& on_completed) {
  Response res;
  if (wait.count() > 0) {
    auto waited = wait_operation(services, op.id, wait);
    if (waited) op = std::move(*waited);
  }
  switch (op.state) {
    case OperationState::pending:
    case OperationState::running:
    case OperationState::rolling_back:
      res = json_response(nlohmann::json{{"changed", true}, {"operation", op}}, 202);
      res.headers.emplace_back("Location", "/v1/operations/" + std::to_string(op.id));
      break;
    case OperationState::completed:
      res = on_completed(op);
      break;
    case OperationState::rolled_back:
    case OperationState::failed:
      res = operation_problem(op);
      break;
  }
  res.operation_id = op.id;
  return res;
}

Response respond(Result<Response> result) {
  if (!result) return problem(result.error());
  return std::move(*result);
}

}  // namespace daxd::api
