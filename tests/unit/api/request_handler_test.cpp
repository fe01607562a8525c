// SPDX-License-Identifier: Apache-2.0
// handle_request over an Inventory on the fake host: JSON content, problems, auth, audit, metrics.
#include "api/request_handler.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "api/routes.h"
#include "tests/unit/api/fake_host.h"

namespace daxd::api {
namespace {

using nlohmann::json;

Peer root_peer() { return Peer{0, 0, 100, /*is_unix=*/true, /*local_admin=*/true}; }
Peer user_peer() { return Peer{1000, 1000, 200, /*is_unix=*/true, /*local_admin=*/false}; }
Peer tcp_peer() { return Peer{}; }

class HandlerTest : public ::testing::Test {
 protected:
  Response call(std::string method, std::string target, Peer const& peer = root_peer(),
                std::string body = "") {
    Request req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.body = std::move(body);
    return handle_request(req, peer, services_);
  }
  json call_json(std::string target) {
    auto const res = call("GET", std::move(target));
    EXPECT_EQ(res.status, 200U) << res.body;
    EXPECT_EQ(res.content_type, "application/json");
    return json::parse(res.body);
  }

  fake::FakeHost host_;
  inventory::Inventory inventory_{host_};
  std::vector<AuditRecord> audits_;
  Services services_{inventory_, "fake:test",
                     [this](AuditRecord const& r) { audits_.push_back(r); }};
};

TEST_F(HandlerTest, HealthzReportsHostAndGeneration) {
  auto const j = call_json("/healthz");
  EXPECT_EQ(j.at("status"), "ok");
  EXPECT_EQ(j.at("version"), "0.1.0");
  EXPECT_EQ(j.at("host"), "fake:test");
  EXPECT_GE(j.at("inventory_generation").get<int>(), 1);
}

TEST_F(HandlerTest, HealthzIs503WhenInventoryCannotRefresh) {
  host_.nvdimm_.fail = true;
  auto const res = call("GET", "/healthz");
  EXPECT_EQ(res.status, 503U);
  EXPECT_EQ(res.content_type, "application/problem+json");
  auto const j = json::parse(res.body);
  EXPECT_EQ(j.at("type"), "urn:daxd:problem:unavailable");
  EXPECT_NE(j.at("detail").get<std::string>().find("nvdimm bus gone"), std::string::npos);
}

TEST_F(HandlerTest, HealthzServesAFreshViewAndRefreshesAStaleOne) {
  auto const first = call_json("/healthz").at("inventory_generation").get<int>();
  EXPECT_EQ(call_json("/healthz").at("inventory_generation").get<int>(), first);
  inventory_.invalidate();  // what a uevent or an operation does
  EXPECT_GT(call_json("/healthz").at("inventory_generation").get<int>(), first);
}

TEST_F(HandlerTest, RegionsListAndGet) {
  auto const list = call_json("/v1/regions");
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0].at("dev"), "region0");
  EXPECT_EQ(list[1].at("dev"), "region1");
  EXPECT_EQ(list[0].at("size"), 16ULL << 30);
  EXPECT_EQ(call_json("/v1/regions/region1").at("numa_node"), 1);
  auto const missing = call("GET", "/v1/regions/region7");
  EXPECT_EQ(missing.status, 404U);
  EXPECT_EQ(json::parse(missing.body).at("detail"), "region7: no such region");
}

TEST_F(HandlerTest, NamespacesCarryRegionAndFilter) {
  auto const list = call_json("/v1/namespaces");
  ASSERT_EQ(list.size(), 3U);
  for (auto const& ns : list) EXPECT_TRUE(ns.contains("region")) << ns.dump();
  EXPECT_EQ(list[2].at("region"), "region1");
  EXPECT_EQ(call_json("/v1/namespaces?region=region0").size(), 2U);
  auto const devdax = call_json("/v1/namespaces?mode=devdax");
  ASSERT_EQ(devdax.size(), 1U);
  EXPECT_EQ(devdax[0].at("chardev"), "dax0.1");
  EXPECT_EQ(call("GET", "/v1/namespaces?mode=bogus").status, 400U);
}

TEST_F(HandlerTest, NamespaceByNameOrDev) {
  EXPECT_EQ(call_json("/v1/namespaces/cache").at("dev"), "namespace0.1");
  EXPECT_EQ(call_json("/v1/namespaces/namespace1.0").at("name"), "logs");
  EXPECT_EQ(call("GET", "/v1/namespaces/nope").status, 404U);
}

TEST_F(HandlerTest, VolumesComeFromTheView) {
  EXPECT_EQ(call_json("/v1/volumes"), json::array());
  Volume v;
  v.name = "db";
  v.size = 1ULL << 30;
  v.dm_name = dm_name_for("db");
  inventory_.set_volumes({v});
  EXPECT_EQ(call_json("/v1/volumes").size(), 1U);
  EXPECT_EQ(call_json("/v1/volumes/db").at("dm_name"), "daxd-db");
  EXPECT_EQ(call("GET", "/v1/volumes/other").status, 404U);
}

TEST_F(HandlerTest, ListsCarryAnETagAndAnswer304WhileUnchanged) {
  auto const first = call("GET", "/v1/namespaces");
  ASSERT_EQ(first.status, 200U);
  ASSERT_EQ(first.headers.size(), 1U);
  EXPECT_EQ(first.headers[0].first, "ETag");
  std::string const tag = first.headers[0].second;

  Request conditional;
  conditional.method = "GET";
  conditional.target = "/v1/namespaces";
  conditional.if_none_match = tag;
  auto const unchanged = handle_request(conditional, root_peer(), services_);
  EXPECT_EQ(unchanged.status, 304U);
  EXPECT_EQ(unchanged.body, "");
  // A refresh that finds the same namespaces keeps the tag: it is made from the bytes.
  inventory_.invalidate();
  EXPECT_EQ(handle_request(conditional, root_peer(), services_).status, 304U);
  // A filter is another representation, with its own tag.
  conditional.target = "/v1/namespaces?region=region0";
  auto const filtered = handle_request(conditional, root_peer(), services_);
  EXPECT_EQ(filtered.status, 200U);
  EXPECT_EQ(json::parse(filtered.body).size(), 2U);
}

TEST_F(HandlerTest, AChangedListIsSentWithItsNewTag) {
  auto const before = call("GET", "/v1/volumes");
  ASSERT_EQ(before.headers.size(), 1U);
  Volume v;
  v.name = "db";
  v.size = 1ULL << 30;
  v.dm_name = dm_name_for("db");
  inventory_.set_volumes({v});
  Request conditional;
  conditional.method = "GET";
  conditional.target = "/v1/volumes";
  conditional.if_none_match = before.headers[0].second;
  auto const after = handle_request(conditional, root_peer(), services_);
  EXPECT_EQ(after.status, 200U);
  EXPECT_EQ(json::parse(after.body).size(), 1U);
  ASSERT_EQ(after.headers.size(), 1U);
  EXPECT_NE(after.headers[0].second, before.headers[0].second);
}

TEST_F(HandlerTest, UnknownPathAndWrongMethod) {
  auto const nf = call("GET", "/v2/nothing");
  EXPECT_EQ(nf.status, 404U);
  EXPECT_EQ(nf.content_type, "application/problem+json");
  auto const na = call("DELETE", "/v1/regions");
  EXPECT_EQ(na.status, 405U);
  ASSERT_EQ(na.headers.size(), 1U);
  EXPECT_EQ(na.headers[0].second, "GET");
}

TEST_F(HandlerTest, NonAdminMutationIs403BeforeRoutingAndAudited) {
  auto const res = call("POST", "/v1/namespaces", user_peer(), R"({"name":"x"})");
  EXPECT_EQ(res.status, 403U);
  auto const j = json::parse(res.body);
  EXPECT_EQ(j.at("type"), "urn:daxd:problem:permission_denied");
  ASSERT_EQ(audits_.size(), 1U);
  EXPECT_EQ(audits_[0].uid, 1000U);
  EXPECT_EQ(audits_[0].pid, 200);
  EXPECT_EQ(audits_[0].method, "POST");
  EXPECT_EQ(audits_[0].path, "/v1/namespaces");
  EXPECT_EQ(audits_[0].body_excerpt, R"({"name":"x"})");
  EXPECT_EQ(audits_[0].status, 403U);
  EXPECT_EQ(audits_[0].result, "permission_denied");
}

TEST_F(HandlerTest, TcpRequestsWithoutTheBearerTokenAre401) {
  // No token configured: nothing over TCP is served, reads included.
  auto const res = call("GET", "/v1/regions", tcp_peer());
  EXPECT_EQ(res.status, 401U);
  EXPECT_EQ(json::parse(res.body).at("detail"),
            "tcp requests need an Authorization: Bearer token");
  services_.bearer_token = "0123456789abcdef";
  Request req;
  req.method = "DELETE";
  req.target = "/v1/namespaces/db";
  req.authorization = "Bearer 0123456789abcdeX";
  EXPECT_EQ(handle_request(req, tcp_peer(), services_).status, 401U);
  req.authorization = "Bearer 0123456789abcdef";
  EXPECT_NE(handle_request(req, tcp_peer(), services_).status, 401U);
}

TEST_F(HandlerTest, AdminMutationIsRoutedAndAudited) {
  // No engine in these services: an admin gets past auth to the route, which answers 503.
  auto const res = call("POST", "/v1/namespaces", root_peer());
  EXPECT_EQ(res.status, 503U);
  ASSERT_EQ(audits_.size(), 1U);
  EXPECT_EQ(audits_[0].uid, 0U);
  EXPECT_EQ(audits_[0].result, "unavailable");
  call("GET", "/v1/regions");
  EXPECT_EQ(audits_.size(), 1U) << "reads are not audited";
  EXPECT_EQ(call("PUT", "/v1/namespaces", root_peer()).status, 405U);
}

TEST_F(HandlerTest, MetricsCountRequestsByMethodAndCode) {
  call("GET", "/v1/regions");
  call("GET", "/v1/regions");
  call("GET", "/v1/nope");
  call("POST", "/v1/namespaces", user_peer());
  EXPECT_EQ(services_.metrics->requests("GET", 200), 2U);
  EXPECT_EQ(services_.metrics->requests("GET", 404), 1U);
  EXPECT_EQ(services_.metrics->requests("POST", 403), 1U);
  auto const res = call("GET", "/metrics");
  EXPECT_EQ(res.status, 200U);
  EXPECT_EQ(res.content_type.rfind("text/plain", 0), 0U);
  EXPECT_NE(res.body.find("\ndaxd_up 1\n"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find("daxd_inventory_generation "), std::string::npos);
  EXPECT_NE(res.body.find("daxd_http_requests_total{method=\"GET\",code=\"200\"} 2\n"),
            std::string::npos)
      << res.body;
  EXPECT_NE(res.body.find("daxd_http_requests_total{method=\"POST\",code=\"403\"} 1\n"),
            std::string::npos);
}

TEST_F(HandlerTest, OpenApiIsServedVerbatimAndDescribesEveryRoute) {
  auto const res = call("GET", "/v1/openapi.json");
  EXPECT_EQ(res.status, 200U);
  EXPECT_EQ(res.body, openapi_document());
  auto const doc = json::parse(res.body, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc.at("info").at("version"), "0.1.0");
  for (auto const* path :
       {"/healthz", "/metrics", "/v1/openapi.json", "/v1/regions", "/v1/regions/{dev}",
        "/v1/namespaces", "/v1/namespaces/{name}", "/v1/volumes", "/v1/volumes/{name}",
        "/v1/operations", "/v1/operations/{id}", "/v1/events", "/v1/dm-devices", "/v1/mounts",
        "/v1/consumers"}) {
    EXPECT_TRUE(doc.at("paths").contains(path)) << path;
  }
  EXPECT_TRUE(doc.at("components").at("schemas").contains("Problem"));
  auto const& ns = doc.at("paths").at("/v1/namespaces");
  EXPECT_TRUE(ns.contains("post"));
  auto const& one = doc.at("paths").at("/v1/namespaces/{name}");
  EXPECT_TRUE(one.contains("delete"));
  EXPECT_TRUE(one.contains("patch"));
  // Every route the router serves is documented with its method.
  for (auto const& [path, methods] :
       std::initializer_list<std::pair<char const*, char const*>>{{"/v1/operations", "get"},
                                                                  {"/v1/operations/{id}", "get"},
                                                                  {"/v1/events", "get"},
                                                                  {"/v1/dm-devices", "get"},
                                                                  {"/v1/mounts", "get"},
                                                                  {"/v1/consumers", "get"}}) {
    EXPECT_TRUE(doc.at("paths").at(path).contains(methods)) << path;
  }
}

}  // namespace
}  // namespace daxd::api
