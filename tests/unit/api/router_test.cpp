// SPDX-License-Identifier: Apache-2.0
// Path patterns, query parsing, and the 404/405 answers of the router.
#include "api/router.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/server.h"
#include "tests/unit/api/fake_host.h"

namespace daxd::api {
namespace {

Response echo(RouteContext const& ctx) {
  Response r;
  r.body = ctx.params.count("name") ? ctx.params.at("name") : "list";
  r.body += "|" + ctx.query_value("x");
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.add("GET", "/v1/things", echo);
    router_.add("GET", "/v1/things/{name}", echo);
    router_.add("DELETE", "/v1/things/{name}", echo);
  }
  Response call(std::string method, std::string target) {
    Request req;
    req.method = std::move(method);
    req.target = std::move(target);
    return router_.dispatch(req, peer_, services_);
  }
  fake::FakeHost host_;
  inventory::Inventory inventory_{host_};
  Services services_{inventory_, "fake", {}};
  Peer peer_;
  Router router_;
};

TEST_F(RouterTest, MatchesParamsAndQuery) {
  EXPECT_EQ(call("GET", "/v1/things").body, "list|");
  EXPECT_EQ(call("GET", "/v1/things/").body, "list|");
  EXPECT_EQ(call("GET", "/v1/things/a%20b?x=1%2F2").body, "a b|1/2");
}

TEST_F(RouterTest, UnknownPathIs404Problem) {
  auto const res = call("GET", "/v1/nothing");
  EXPECT_EQ(res.status, 404U);
  EXPECT_EQ(res.content_type, "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(res.body).at("type"), "urn:daxd:problem:not_found");
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  auto const res = call("PUT", "/v1/things/a");
  EXPECT_EQ(res.status, 405U);
  ASSERT_EQ(res.headers.size(), 1U);
  EXPECT_EQ(res.headers[0].first, "Allow");
  EXPECT_EQ(res.headers[0].second, "DELETE, GET");
  EXPECT_EQ(nlohmann::json::parse(res.body).at("type"), "urn:daxd:problem:method_not_allowed");
}

TEST(Query, ParsesPairsAndBareKeys) {
  auto const q = parse_query("/p?a=1&b&c=x%3Dy&&");
  EXPECT_EQ(q.at("a"), "1");
  EXPECT_EQ(q.at("b"), "");
  EXPECT_EQ(q.at("c"), "x=y");
  EXPECT_EQ(percent_decode("100%"), "100%");
  EXPECT_EQ(percent_decode("%zz"), "%zz");
  EXPECT_EQ(target_path("/a/b?c"), "/a/b");
}

}  // namespace
}  // namespace daxd::api
