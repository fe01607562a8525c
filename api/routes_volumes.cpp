// SPDX-License-Identifier: Apache-2.0
// POST/DELETE/PATCH /v1/volumes and POST /v1/volumes/{name}/grow: volume lifecycle and DAX mode
// changes through the engine (idempotent create, dry runs, ?wait=). Answers show the volume as
// GET /v1/volumes/{name} does (the inventory's view).
#include <algorithm>
#include <cstdint>
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
#include "daemon/orchestrator/volume_ops.h"
#include "daemon/orchestrator/volume_spec.h"

namespace daxd::api {

namespace {

using nlohmann::json;
namespace orch = orchestrator;

/// Cuts a linear volume's extents, in order, to `size` bytes.
Result<void> cut_linear(Volume& v, std::uint64_t size) {
  std::vector<Extent> kept;
  std::uint64_t left = size;
  for (auto const& x : v.extents) {
    if (left == 0) break;
    Extent part = x;
    part.length = std::min(x.length, left);
    left -= part.length;
    kept.push_back(part);
  }
  if (left != 0) {
    return Fail(Errc::invalid_argument, "volume '" + v.name + "': 'size' " + std::to_string(size) +
                                            " is more than the " + std::to_string(v.size) +
                                            " bytes its extents give");
  }
  v.extents = std::move(kept);
  return Ok();
}

/// Gives each extent of a striped volume an equal share of `size` bytes.
Result<void> cut_striped(Volume& v, std::uint64_t size) {
  std::uint64_t const count = v.extents.size();
  std::uint64_t const per = size / count;
  if (per * count != size || per % v.stripe_size != 0) {
    return Fail(Errc::invalid_argument,
                "volume '" + v.name + "': 'size' must be a multiple of " + std::to_string(count) +
                    " x stripe_size (" + std::to_string(count * v.stripe_size) + " bytes)");
  }
  for (auto& x : v.extents) {
    if (per > x.length) {
      return Fail(Errc::invalid_argument,
                  "volume '" + v.name + "': 'size' " + std::to_string(size) + " is more than the " +
                      std::to_string(v.size) + " bytes its extents give");
    }
    x.length = per;
  }
  return Ok();
}

/// Applies the body's optional top-level "size" to a normalised create request: the extents
/// are cut to it (linear: in order; striped: equal shares).
Result<void> apply_size(json const& body, json& request) {
  DAXD_ASSIGN_OR_RETURN(std::uint64_t const size, orch::optional_size(body, "size", 0));
  if (size == 0) return Ok();
  if (size % orch::kExtentAlign != 0) {
    return Fail(Errc::invalid_argument, "'size' must be a multiple of 2 MiB");
  }
  DAXD_ASSIGN_OR_RETURN(Volume v, orch::request_volume(request));
  switch (v.layout) {
    case VolumeLayout::linear:
      DAXD_TRY(cut_linear(v, size));
      break;
    case VolumeLayout::striped:
      DAXD_TRY(cut_striped(v, size));
      break;
  }
  v.size = 0;
  for (auto const& x : v.extents) v.size += x.length;
  request["volume"] = orch::volume_spec(v);
  return Ok();
}

Result<Response> create_volume(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* engine, require_engine(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto* desired, require_desired(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const options, mutation_options(ctx));
  DAXD_ASSIGN_OR_RETURN(json const raw, parse_body(ctx.request));
  if (!raw.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  json const body = with_extent_aliases(raw);
  DAXD_ASSIGN_OR_RETURN(json request, orch::normalise_create_volume(*ctx.services.host, body));
  DAXD_TRY(apply_size(body, request));
  std::string const name = request.at("volume").at("name");
  // CSI semantics: the same spec again is a success that changes nothing.
  DAXD_ASSIGN_OR_RETURN(auto const existing, orch::existing_volume(*desired, request));
  if (existing) {
    json out{{"changed", false},
             {"volume", view_volume(ctx.services, name).value_or(json(*existing))}};
    if (options.dry_run) out["dry_run"] = true;
    return json_response(out);
  }
  if (options.dry_run) return dry_run_answer(*engine, orch::kCreateVolume, request);
  DAXD_ASSIGN_OR_RETURN(auto submitted, engine->submit(orch::kCreateVolume, request));
  ctx.services.inventory.invalidate();
  return finish_mutation(ctx.services, std::move(submitted.operation), options.wait,
                         [&](Operation const& op) {
                           json out{{"changed", true}, {"operation", op}};
                           if (auto v = view_volume(ctx.services, name)) out["volume"] = *v;
                           return json_response(out, 201);
                         });
}

Result<Response> destroy_volume(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* engine, require_engine(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto* desired, require_desired(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const options, mutation_options(ctx));
  DAXD_ASSIGN_OR_RETURN(json const body, quiesce_body(ctx));
  DAXD_ASSIGN_OR_RETURN(json const request,
                        orch::normalise_destroy_volume(*desired, ctx.params.at("name"), body));
  if (options.dry_run) return dry_run_answer(*engine, orch::kDestroyVolume, request);
  DAXD_ASSIGN_OR_RETURN(auto submitted, engine->submit(orch::kDestroyVolume, request));
  ctx.services.inventory.invalidate();
  return finish_mutation(ctx.services, std::move(submitted.operation), options.wait,
                         [&](Operation const& op) {
                           ctx.services.inventory.invalidate();
                           return json_response(json{{"changed", true}, {"operation", op}});
                         });
}

Result<Response> set_dax(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* engine, require_engine(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto* desired, require_desired(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const options, mutation_options(ctx));
  DAXD_ASSIGN_OR_RETURN(json const body, quiesce_body(ctx));
  if (!body.contains("dax")) {
    return Fail(Errc::invalid_argument, "'dax' is required: always, never or inode");
  }
  std::string const name = ctx.params.at("name");
  DAXD_ASSIGN_OR_RETURN(json const request, orch::normalise_set_dax(*desired, name, body));
  if (options.dry_run) return dry_run_answer(*engine, orch::kSetDax, request);
  // The same test the plan makes: the operation still runs (and says unchanged in the journal).
  bool const changed = request.at("volume").value("dax", "") != request.value("dax", "");
  DAXD_ASSIGN_OR_RETURN(auto submitted, engine->submit(orch::kSetDax, request));
  ctx.services.inventory.invalidate();
  return finish_mutation(ctx.services, std::move(submitted.operation), options.wait,
                         [&](Operation const& op) {
                           json out{{"changed", changed}, {"operation", op}};
                           if (auto v = view_volume(ctx.services, name)) out["volume"] = *v;
                           return json_response(out);
                         });
}

Result<Response> grow_volume(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* engine, require_engine(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto* desired, require_desired(ctx.services));
  DAXD_ASSIGN_OR_RETURN(auto const options, mutation_options(ctx));
  DAXD_ASSIGN_OR_RETURN(json const raw, parse_body(ctx.request));
  if (!raw.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  std::string const name = ctx.params.at("name");
  DAXD_ASSIGN_OR_RETURN(json const request,
                        orch::normalise_grow_volume(*ctx.services.host, *desired, name,
                                                    with_extent_aliases(raw)));
  if (options.dry_run) return dry_run_answer(*engine, orch::kGrowVolume, request);
  DAXD_ASSIGN_OR_RETURN(auto submitted, engine->submit(orch::kGrowVolume, request));
  ctx.services.inventory.invalidate();
  return finish_mutation(ctx.services, std::move(submitted.operation), options.wait,
                         [&](Operation const& op) {
                           json out{{"changed", true}, {"operation", op}};
                           if (auto v = view_volume(ctx.services, name)) out["volume"] = *v;
                           return json_response(out);
                         });
}

}  // namespace

void add_volume_change_routes(Router& router) {
  router.add("POST", "/v1/volumes",
             [](RouteContext const& ctx) { return respond(create_volume(ctx)); });
  router.add("DELETE", "/v1/volumes/{name}",
             [](RouteContext const& ctx) { return respond(destroy_volume(ctx)); });
  router.add("PATCH", "/v1/volumes/{name}",
             [](RouteContext const& ctx) { return respond(set_dax(ctx)); });
  router.add("POST", "/v1/volumes/{name}/grow",
             [](RouteContext const& ctx) { return respond(grow_volume(ctx)); });
}

}  // namespace daxd::api
