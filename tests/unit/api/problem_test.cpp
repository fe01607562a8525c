// SPDX-License-Identifier: Apache-2.0
// The Errc -> HTTP status table and the shape of problem+json bodies.
#include "api/problem.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace daxd::api {
namespace {

using nlohmann::json;

TEST(Problem, StatusTableCoversEveryCode) {
  EXPECT_EQ(http_status(Errc::invalid_argument), 400U);
  EXPECT_EQ(http_status(Errc::not_found), 404U);
  EXPECT_EQ(http_status(Errc::already_exists), 409U);
  EXPECT_EQ(http_status(Errc::conflict), 409U);
  EXPECT_EQ(http_status(Errc::busy), 409U);
  EXPECT_EQ(http_status(Errc::permission_denied), 403U);
  EXPECT_EQ(http_status(Errc::unsupported), 422U);
  EXPECT_EQ(http_status(Errc::no_space), 507U);
  EXPECT_EQ(http_status(Errc::io_error), 500U);
  EXPECT_EQ(http_status(Errc::timeout), 504U);
  EXPECT_EQ(http_status(Errc::unavailable), 503U);
  EXPECT_EQ(http_status(Errc::internal), 500U);
}

TEST(Problem, BodyCarriesTypeTitleStatusDetail) {
  auto const res = problem(Errc::not_found, "region9: no such region");
  EXPECT_EQ(res.status, 404U);
  EXPECT_EQ(res.content_type, "application/problem+json");
  EXPECT_EQ(res.problem, "not_found");
  auto const j = json::parse(res.body);
  EXPECT_EQ(j.at("type"), "urn:daxd:problem:not_found");
  EXPECT_EQ(j.at("title"), "Not found");
  EXPECT_EQ(j.at("status"), 404);
  EXPECT_EQ(j.at("detail"), "region9: no such region");
  EXPECT_FALSE(j.contains("blockers"));
  EXPECT_FALSE(j.contains("cause"));
}

TEST(Problem, BlockersAndCauseAppearWhenSet) {
  Consumer c;
  c.kind = ConsumerKind::mapping;
  c.pid = 42;
  c.command = "postgres";
  c.path = "/mnt/db/base";
  c.map_sync = true;
  Error e{Errc::busy, "dax0.0: cannot switch to devdax: mapped", {c}};
  e.cause = "rollback: thaw failed";
  auto const j = json::parse(problem(e).body);
  EXPECT_EQ(j.at("status"), 409);
  EXPECT_EQ(j.at("type"), "urn:daxd:problem:busy");
  ASSERT_EQ(j.at("blockers").size(), 1U);
  EXPECT_EQ(j.at("blockers")[0].at("pid"), 42);
  EXPECT_EQ(j.at("blockers")[0].at("command"), "postgres");
  EXPECT_EQ(j.at("cause"), "rollback: thaw failed");
}

TEST(Problem, InvalidUtf8InDetailIsReplacedNotThrown) {
  auto const res = problem(Errc::invalid_argument, std::string("bad name \xff\xfe"));
  EXPECT_FALSE(json::parse(res.body, nullptr, false).is_discarded());
}

TEST(Problem, ProtocolProblemHasItsOwnType) {
  auto const res = protocol_problem(413, "payload_too_large", "Payload too large", "too big");
  EXPECT_EQ(res.status, 413U);
  auto const j = json::parse(res.body);
  EXPECT_EQ(j.at("type"), "urn:daxd:problem:payload_too_large");
  EXPECT_EQ(j.at("status"), 413);
}

}  // namespace
}  // namespace daxd::api
