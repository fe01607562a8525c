// SPDX-License-Identifier: Apache-2.0
// Read-only inventory routes: regions, namespaces and volumes from the cached View. The lists
// are rendered once per view (and filter) and carry an ETag, so pollers get 304s while idle.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/problem.h"
#include "api/route_support.h"
#include "api/routes.h"
#include "api/server.h"
#include "daemon/model/json.h"

namespace daxd::api {

namespace {

template <class Item>
std::string array_text(std::vector<Item> const& items) {
  nlohmann::json j = nlohmann::json::array();
  for (auto const& item : items) j.push_back(item);
  return json_text(j);
}

Response list_regions(RouteContext const& ctx) {
  auto const view = ctx.services.inventory.current();
  return rendered_response(ctx, "/v1/regions", view->generation,
                           [&] { return array_text(view->regions); });
}

Response get_region(RouteContext const& ctx) {
  auto const view = ctx.services.inventory.current();
  auto const& dev = ctx.params.at("dev");
  auto const* region = view->find_region(dev);
  if (region == nullptr) return problem(Errc::not_found, dev + ": no such region");
  return json_response(nlohmann::json(*region));
}

Response list_namespaces(RouteContext const& ctx) {
  auto const view = ctx.services.inventory.current();
  auto const region = ctx.query_value("region");
  std::optional<NamespaceMode> mode;
  if (auto const mode_text = ctx.query_value("mode"); !mode_text.empty()) {
    auto parsed = parse_namespace_mode(mode_text);
    if (!parsed) return problem(parsed.error());
    mode = *parsed;
  }
  std::string const key = "/v1/namespaces?region=" + region +
                          "&mode=" + (mode ? std::string(to_string(*mode)) : std::string());
  return rendered_response(ctx, key, view->generation, [&] {
    nlohmann::json j = nlohmann::json::array();
    for (auto const& ns : view->namespaces) {
      if (!region.empty() && ns.region != region) continue;
      if (mode && ns.mode != *mode) continue;
      j.push_back(namespace_json(ns));
    }
    return json_text(j);
  });
}

Response get_namespace(RouteContext const& ctx) {
  auto const view = ctx.services.inventory.current();
  auto const& name = ctx.params.at("name");
  auto const* ns = view->find_namespace(name);
  if (ns == nullptr) return problem(Errc::not_found, name + ": no such namespace");
  return json_response(namespace_json(*ns));
}

Response list_volumes(RouteContext const& ctx) {
  auto const view = ctx.services.inventory.current();
  return rendered_response(ctx, "/v1/volumes", view->generation,
                           [&] { return array_text(view->volumes); });
}

Response get_volume(RouteContext const& ctx) {
  auto const view = ctx.services.inventory.current();
  auto const& name = ctx.params.at("name");
  for (auto const& volume : view->volumes) {
    if (volume.name == name) return json_response(nlohmann::json(volume));
  }
  return problem(Errc::not_found, name + ": no such volume");
}

}  // namespace

void add_inventory_routes(Router& router) {
  router.add("GET", "/v1/regions", list_regions);
  router.add("GET", "/v1/regions/{dev}", get_region);
  router.add("GET", "/v1/namespaces", list_namespaces);
  router.add("GET", "/v1/namespaces/{name}", get_namespace);
  router.add("GET", "/v1/volumes", list_volumes);
  router.add("GET", "/v1/volumes/{name}", get_volume);
}

}  // namespace daxd::api
