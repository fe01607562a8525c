// SPDX-License-Identifier: Apache-2.0
// What the mutating and operation routes share: query options, body parsing, waiting for an
// operation, and turning an operation's outcome into an answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/router.h"
#include "api/server.h"
#include "daemon/model/namespace.h"
#include "daemon/model/operation.h"
#include "daemon/model/result.h"

namespace daxd::api {

inline constexpr int kMaxWaitSeconds = 3600;

/// ?dry_run= and ?wait= of a mutating request.
struct MutationOptions {
  bool dry_run = false;
  std::chrono::seconds wait{0};
};

/// Errors: invalid_argument (dry_run not true/false, wait not 0..3600).
Result<MutationOptions> mutation_options(RouteContext const& ctx);
/// ?wait=SECONDS alone (0 when absent). Errors: invalid_argument.
Result<std::chrono::seconds> wait_option(RouteContext const& ctx);
/// A boolean query parameter: nullopt when absent; "", "true", "1" -> true; "false", "0" ->
/// false. Errors: invalid_argument.
Result<std::optional<bool>> bool_query(RouteContext const& ctx, std::string const& key);

/// The body as a JSON value; an empty body is `empty_as` (null = required).
/// Errors: invalid_argument (not JSON, or empty when required).
Result<nlohmann::json> parse_body(Request const& request, nlohmann::json empty_as = nullptr);

/// The engine, or unavailable when daxd serves without one (read-only wiring).
Result<orchestrator::Orchestrator*> require_engine(Services const& services);
Result<host::Host*> require_host(Services const& services);
/// The desired state (volumes, snapshots), or unavailable when daxd serves without it.
Result<state::DesiredState*> require_desired(Services const& services);

/// The answer to ?dry_run=true: 200 {dry_run, changed: false, plan}, or the problem the
/// request would meet (the plan's or the preflight's).
Response dry_run_answer(orchestrator::Orchestrator& engine, std::string const& type,
                        nlohmann::json const& request);

/// The body of a request that stops a volume's users (DELETE, PATCH, restore), empty = {}, with
/// ?policy= and ?deadline_ms= copied into it (the query wins).
/// Errors: invalid_argument (not a JSON object, deadline_ms not a number).
Result<nlohmann::json> quiesce_body(RouteContext const& ctx);

/// The body with each extent's "size" renamed "length" (the API contract's word for the
/// engine's); other keys and non-object extents are left as they are.
nlohmann::json with_extent_aliases(nlohmann::json body);

/// The operation once final, or as it is when `limit` passes or the server stops (the event hub
/// closed). Never holds the caller longer than `limit` plus one short slice.
/// Errors: not_found, the journal's.
Result<Operation> wait_operation(Services const& services, std::int64_t id,
                                 std::chrono::seconds limit);

/// The Errc whose name is `name` ("busy"), nullopt for an unknown or empty name.
std::optional<Errc> errc_named(std::string const& name);

/// A rolled-back or failed operation as the problem its error_code names, with detail = its
/// error and the extension member "operation": id.
Response operation_problem(Operation const& op);

/// A namespace as the API shows it: the model JSON plus its region.
nlohmann::json namespace_json(Namespace const& ns);

/// The volume as GET /v1/volumes/{name} shows it now (the view is refreshed first), or nothing.
std::optional<nlohmann::json> view_volume(Services& services, std::string const& name);

/// The answer to an accepted mutation: waits as asked; 202 + Location while it runs, the
/// problem of a rolled-back/failed one, `on_completed(op)` for a completed one. Always carries
/// the operation id (audit). `on_completed` gives the body and status (200 or 201).
Response finish_mutation(Services const& services, Operation op, std::chrono::seconds wait,
                         std::function<Response(Operation const&)> const& on_completed);

/// A route body as Result: errors become problems.
Response respond(Result<Response> result);

}  // namespace daxd::api
