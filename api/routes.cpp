// SPDX-License-Identifier: Apache-2.0
// The route table, assembled once from the route groups.
#include "api/routes.h"

#include "api/openapi_document.h"
#include "api/server.h"

namespace daxd::api {

Router const& api_router() {
  // Built on first use; C++ guarantees one thread builds it and the others wait.
  static Router const router = [] {
    Router r;
    add_meta_routes(r);
    add_inventory_routes(r);
    add_namespace_change_routes(r);
    add_operation_routes(r);
    add_device_routes(r);
    add_hook_routes(r);
    add_volume_change_routes(r);
    add_volume_file_routes(r);
    add_snapshot_routes(r);
    add_audit_routes(r);
    return r;
  }();
  return router;
}

Response json_response(nlohmann::json const& body, unsigned status) {
  Response res;
  res.status = status;
  res.content_type = "application/json";
  res.body = json_text(body);
  return res;
}

std::string json_text(nlohmann::json const& body) {
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string_view openapi_document() { return kOpenApiDocument; }

Response rendered_response(RouteContext const& ctx, std::string const& key,
                           std::uint64_t generation, RenderedBodies::Render const& render) {
  auto const rendered = ctx.services.rendered_bodies->get(key, generation, render);
  Response res;
  res.body = rendered->body;
  res.headers.emplace_back("ETag", rendered->etag);
  return res;
}

}  // namespace daxd::api
