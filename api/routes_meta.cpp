// SPDX-License-Identifier: Apache-2.0
// GET /healthz, GET /metrics and GET /v1/openapi.json.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/problem.h"
#include "api/routes.h"
#include "api/server.h"
#include "daemon/orchestrator/orchestrator.h"
#include "state/desired_state.h"

#ifndef DAXD_VERSION
#define DAXD_VERSION "0.0.0"
#endif

namespace daxd::api {

namespace {

// Health means "the host answers", at most kHealthMaxAgeMs late: a probe every second from
// Kubernetes or a load balancer must not re-read every namespace each time (uevents and
// operations already mark the view stale). A refresh that fails is reported, not hidden behind
// the last good view.
constexpr std::int64_t kHealthMaxAgeMs = 5000;

Response healthz(RouteContext const& ctx) {
  auto view = ctx.services.inventory.fresh_within(kHealthMaxAgeMs);
  if (!view) {
    return problem(Errc::unavailable, "inventory cannot refresh: " + view.error().message);
  }
  std::uint64_t const generation = (*view)->generation;
  return rendered_response(ctx, "/healthz", generation, [&] {
    return json_text(nlohmann::json{{"status", "ok"},
                                    {"version", DAXD_VERSION},
                                    {"host", ctx.services.host_description},
                                    {"inventory_generation", generation}});
  });
}

// A scrape reads the journal only above the histograms' floor, newest first, in small pages:
// one page when nothing finished since the last scrape, never more than kJournalScan rows.
constexpr int kJournalPage = 32;
constexpr int kJournalScan = 1024;

/// Feeds the operation histograms with what finished since the last scrape. A journal error
/// leaves them as they were (the next scrape tries again).
void refresh_operation_times(Services const& services) {
  if (services.orchestrator == nullptr || !services.metrics) return;
  auto& times = services.metrics->operation_times();
  std::int64_t const floor = times.floor();
  std::vector<Operation> newer;
  for (int offset = 0; offset < kJournalScan; offset += kJournalPage) {
    auto page = services.orchestrator->list(kJournalPage, offset);
    if (!page) return;
    bool reached = false;
    for (auto& op : *page) {
      reached = op.id <= floor;
      if (reached) break;
      newer.push_back(std::move(op));
    }
    if (reached || page->size() < static_cast<std::size_t>(kJournalPage)) break;
  }
  times.observe(newer);
}

/// daxd_snapshots{volume, method}: the stored snapshots (one query, no host access).
std::string render_snapshot_counts(Services const& services) {
  std::string out =
      "# HELP daxd_snapshots Snapshots daxd keeps, by volume and method.\n"
      "# TYPE daxd_snapshots gauge\n";
  if (services.desired == nullptr) return out;
  auto const records = services.desired->snapshots();
  if (!records) return out;
  std::map<std::pair<std::string, std::string>, int> counts;
  for (auto const& r : *records) {
    auto const spec = nlohmann::json::parse(r.spec_json, nullptr, /*allow_exceptions=*/false);
    std::string method = "copy";  // the engine's default when a spec does not say
    if (spec.is_object() && spec.contains("method") && spec.at("method").is_string()) {
      method = spec.at("method").get<std::string>();
    }
    ++counts[{r.volume, method}];
  }
  for (auto const& [key, n] : counts) {
    out += "daxd_snapshots{volume=\"" + prometheus_label(key.first) + "\",method=\"" +
           prometheus_label(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  return out;
}

Response metrics(RouteContext const& ctx) {
  auto const view = ctx.services.inventory.current();
  std::string body =
      "# HELP daxd_up Whether daxd is serving requests.\n"
      "# TYPE daxd_up gauge\n"
      "daxd_up 1\n"
      "# HELP daxd_inventory_generation Generation of the published inventory view.\n"
      "# TYPE daxd_inventory_generation gauge\n"
      "daxd_inventory_generation " +
      std::to_string(view->generation) + "\n";
  if (ctx.services.metrics) {
    body += ctx.services.metrics->render_requests();
    refresh_operation_times(ctx.services);
    body += ctx.services.metrics->operation_times().render();
  }
  body += render_snapshot_counts(ctx.services);
  Response res;
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  res.body = std::move(body);
  return res;
}

// Served verbatim: the file in the source tree is the contract.
Response openapi(RouteContext const&) {
  Response res;
  res.body = std::string(openapi_document());
  return res;
}

}  // namespace

void add_meta_routes(Router& router) {
  router.add("GET", "/healthz", healthz);
  router.add("GET", "/metrics", metrics);
  router.add("GET", "/v1/openapi.json", openapi);
}

}  // namespace daxd::api
