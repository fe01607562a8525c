// SPDX-License-Identifier: Apache-2.0
// /v1/volumes/{name}/snapshots: list, get, create (CSI-idempotent), destroy, restore and the
// read-only mount of a volume's snapshots, through the engine's snapshot operations (dry runs,
// ?wait=). Answers show the snapshot as GET .../snapshots/{snapshot} does.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/problem.h"
#include "api/route_support.h"
#include "api/routes.h"
#include "api/server.h"
#include "daemon/model/json.h"
#include "daemon/orchestrator/orchestrator.h"
#include "daemon/orchestrator/snapshot_ops.h"

namespace daxd::api {

namespace {

using nlohmann::json;
namespace orch = orchestrator;

/// The snapshot as GET shows it now (live fields read from the host), or nothing.
std::optional<json> view_snapshot(Services const& services, std::string const& volume,
                                  std::string const& name) {
  if (services.host == nullptr || services.desired == nullptr) return std::nullopt;
  auto s = orch::get_snapshot(*services.host, *services.desired, volume, name);
  if (!s) return std::nullopt;
  return json(*s);
}

/// The answer of a finished snapshot operation: changed, operation, and the snapshot or the
/// volume as they are now (when they still exist).
json finished_answer(Services& services, Operation const& op, std::string const& volume,
                     std::string const& snapshot, bool changed = true) {
  json out{{"changed", changed}, {"operation", op}};
  if (!snapshot.empty()) {
    if (auto s = view_snapshot(services, volume, snapshot)) out["snapshot"] = std::move(*s);
  } else if (auto v = view_volume(services, volume)) {
    out["volume"] = std::move(*v);
  }
  return out;
}

Result<Response> list_snapshots(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* host, require_host(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto* desired, require_desired(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const snapshots,
                        orch::list_snapshots(*host, *desired, ctx.params.at("name")));
  return json_response(json(snapshots));
}

Result<Response> get_snapshot(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* host, require_host(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto* desired, require_desired(ctx.services));
  DAXD_ASSIGN_OR_RETURN(Snapshot const s, orch::get_snapshot(*host, *desired, ctx.params.at("name"),
                                                             ctx.params.at("snapshot")));
  return json_response(json(s));
}

/// A create's dry run: the plan, and what the request decided (method, why, the stop to expect).
Response create_dry_run(orch::Orchestrator& engine, json const& request) {
  Response res = dry_run_answer(engine, orch::kCreateSnapshot, request);
  if (res.status != 200) return res;
  json out = json::parse(res.body, nullptr, /*allow_exceptions=*/false);
  if (!out.is_object()) return res;
  if (auto const s = request.find("snapshot"); s != request.end() && s->is_object()) {
    if (s->contains("method")) out["method"] = s->at("method");
  }
  for (char const* key : {"method_reason", "expected_stop_ms"}) {
    if (request.contains(key)) out[key] = request.at(key);
  }
  return json_response(out);
}

Result<Response> create_snapshot(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* engine, require_engine(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto* desired, require_desired(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const options, mutation_options(ctx));
  DAXD_ASSIGN_OR_RETURN(json const raw, parse_body(ctx.request));
  if (!raw.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  std::string const volume = ctx.params.at("name");
  if (auto const v = raw.find("volume"); v != raw.end() && *v != volume) {
    return Fail(Errc::invalid_argument, "'volume' in the body (" + v->dump() +
                                            ") is not the volume of the path ('" + volume + "')");
  }
  DAXD_ASSIGN_OR_RETURN(json const request,
                        orch::normalise_create_snapshot(*ctx.services.host, *desired, volume,
                                                        with_extent_aliases(raw)));
  std::string const name = request.value("name", raw.value("name", ""));
  // CSI semantics: the same spec again is a success that changes nothing.
  DAXD_ASSIGN_OR_RETURN(auto const existing, orch::existing_snapshot(*desired, request));
  if (existing) {
    json out{{"changed", false},
             {"snapshot", view_snapshot(ctx.services, volume, name).value_or(json(*existing))}};
    if (options.dry_run) out["dry_run"] = true;
    return json_response(out);
  }
  if (options.dry_run) return create_dry_run(*engine, request);
  DAXD_ASSIGN_OR_RETURN(auto submitted, engine->submit(orch::kCreateSnapshot, request));
  ctx.services.inventory.invalidate();
  return finish_mutation(
      ctx.services, std::move(submitted.operation), options.wait, [&](Operation const& op) {
        return json_response(finished_answer(ctx.services, op, volume, name), 201);
      });
}

/// DELETE and POST .../restore: the same shape, another operation. A restore answers with the
/// volume (the snapshot is consumed), a destroy with the operation alone.
Result<Response> quiesced_change(RouteContext const& ctx, char const* type, bool restore) {
  DAXD_ASSIGN_OR_RETURN(auto* engine, require_engine(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto* desired, require_desired(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const options, mutation_options(ctx));
  DAXD_ASSIGN_OR_RETURN(json const body, quiesce_body(ctx));
  std::string const volume = ctx.params.at("name");
  std::string const name = ctx.params.at("snapshot");
  DAXD_ASSIGN_OR_RETURN(json const request,
                        restore ? orch::normalise_restore_snapshot(*desired, volume, name, body)
                                : orch::normalise_destroy_snapshot(*desired, volume, name, body));
  if (options.dry_run) return dry_run_answer(*engine, type, request);
  DAXD_ASSIGN_OR_RETURN(auto submitted, engine->submit(type, request));
  ctx.services.inventory.invalidate();
  return finish_mutation(ctx.services, std::move(submitted.operation), options.wait,
                         [&](Operation const& op) {
                           ctx.services.inventory.invalidate();
                           if (!restore)
                             return json_response(json{{"changed", true}, {"operation", op}});
                           return json_response(finished_answer(ctx.services, op, volume, ""));
                         });
}

/// Whether a normalised mount request changes the mount: its snapshot spec's mountpoint
/// against the one asked for (true when the request does not say).
bool mount_changes(json const& request) {
  auto const s = request.find("snapshot");
  auto const m = request.find("mountpoint");
  if (s == request.end() || !s->is_object() || m == request.end() || !m->is_string()) return true;
  return s->value("mountpoint", "") != m->get<std::string>();
}

Result<Response> mount_snapshot(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* engine, require_engine(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto* desired, require_desired(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const options, mutation_options(ctx));
  DAXD_ASSIGN_OR_RETURN(json const body, parse_body(ctx.request));
  if (!body.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  if (!body.contains("mountpoint")) {
    return Fail(Errc::invalid_argument, "'mountpoint' is required (\"\" unmounts)");
  }
  std::string const volume = ctx.params.at("name");
  std::string const name = ctx.params.at("snapshot");
  DAXD_ASSIGN_OR_RETURN(json const request,
                        orch::normalise_mount_snapshot(*desired, volume, name, body));
  if (options.dry_run) return dry_run_answer(*engine, orch::kMountSnapshot, request);
  bool const changed = mount_changes(request);
  DAXD_ASSIGN_OR_RETURN(auto submitted, engine->submit(orch::kMountSnapshot, request));
  ctx.services.inventory.invalidate();
  return finish_mutation(
      ctx.services, std::move(submitted.operation), options.wait, [&](Operation const& op) {
        return json_response(finished_answer(ctx.services, op, volume, name, changed));
      });
}

}  // namespace

void add_snapshot_routes(Router& router) {
  router.add("GET", "/v1/volumes/{name}/snapshots",
             [](RouteContext const& ctx) { return respond(list_snapshots(ctx)); });
  router.add("POST", "/v1/volumes/{name}/snapshots",
             [](RouteContext const& ctx) { return respond(create_snapshot(ctx)); });
  router.add("GET", "/v1/volumes/{name}/snapshots/{snapshot}",
             [](RouteContext const& ctx) { return respond(get_snapshot(ctx)); });
  router.add("DELETE", "/v1/volumes/{name}/snapshots/{snapshot}", [](RouteContext const& ctx) {
    return respond(quiesced_change(ctx, orch::kDestroySnapshot, /*restore=*/false));
  });
  router.add("PATCH", "/v1/volumes/{name}/snapshots/{snapshot}",
             [](RouteContext const& ctx) { return respond(mount_snapshot(ctx)); });
  router.add("POST", "/v1/volumes/{name}/snapshots/{snapshot}/restore",
             [](RouteContext const& ctx) {
               return respond(quiesced_change(ctx, orch::kRestoreSnapshot, /*restore=*/true));
             });
}

}  // namespace daxd::api
