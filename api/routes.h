// SPDX-License-Identifier: Apache-2.0
// The route table: each routes_*.cpp registers its group; api_router() holds them all.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/rendered_bodies.h"
#include "api/router.h"

namespace daxd::api {

/// GET /healthz, GET /metrics, GET /v1/openapi.json.
void add_meta_routes(Router& router);
/// GET /v1/regions[/{dev}], /v1/namespaces[/{name}], /v1/volumes[/{name}].
void add_inventory_routes(Router& router);
/// POST /v1/namespaces, DELETE and PATCH /v1/namespaces/{name}: through the engine.
void add_namespace_change_routes(Router& router);
/// GET /v1/operations[/{id}], GET /v1/events.
void add_operation_routes(Router& router);
/// GET /v1/dm-devices, /v1/mounts, /v1/consumers?namespace= or ?volume=.
void add_device_routes(Router& router);
/// POST /v1/volumes, DELETE and PATCH (dax) /v1/volumes/{name}, POST /v1/volumes/{name}/grow.
void add_volume_change_routes(Router& router);
/// GET and PATCH /v1/volumes/{name}/files: per-file DAX (set-file-dax through the engine).
void add_volume_file_routes(Router& router);
/// GET/POST /v1/volumes/{name}/snapshots, GET/DELETE/PATCH (mount) .../snapshots/{snapshot},
/// POST .../snapshots/{snapshot}/restore: snapshots through the engine.
void add_snapshot_routes(Router& router);

/// POST/GET /v1/hooks, DELETE /v1/hooks/{id}, POST /v1/hooks/{id}/ack: quiesce hooks.
void add_hook_routes(Router& router);

/// GET /v1/audit: the audit log of mutating requests, newest first.
void add_audit_routes(Router& router);

/// Every route daxd serves, built once.
Router const& api_router();

/// A JSON body with status 200 (or `status`); invalid UTF-8 in strings is replaced, never thrown.
Response json_response(nlohmann::json const& body, unsigned status = 200);
/// The text json_response sends.
std::string json_text(nlohmann::json const& body);
/// A 200 JSON answer, with its ETag, whose body depends only on the inventory view of
/// `generation` and on `key` (the route and the filters that shape the body, not the raw
/// target, so that unused query parameters cannot crowd the kept bodies out): render() runs
/// once per view and key (rendered_bodies.h).
Response rendered_response(RouteContext const& ctx, std::string const& key,
                           std::uint64_t generation, RenderedBodies::Render const& render);

/// The OpenAPI document embedded at build time from api/openapi.json.
std::string_view openapi_document();

}  // namespace daxd::api
