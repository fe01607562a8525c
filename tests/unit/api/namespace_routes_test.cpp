// SPDX-License-Identifier: Apache-2.0
// POST/DELETE/PATCH /v1/namespaces and /v1/operations through the real engine on the sim host.
#include <cerrno>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/routes.h"
#include "tests/unit/api/engine_env.h"

namespace daxd::api::testing {
namespace {

using nlohmann::json;
namespace sim = host::sim;

constexpr char kCreateDb[] = R"({"name":"db","region":"region0","size":"256M"})";

class NamespaceRoutes : public ::testing::Test {
 protected:
  ApiEngineEnv env_{::testing::UnitTest::GetInstance()->current_test_info()->name()};

  /// Creates "db" and returns the namespace JSON of the 201 answer.
  json create_db() {
    auto const res = env_.call("POST", "/v1/namespaces?wait=10", kCreateDb);
    EXPECT_EQ(res.status, 201U) << res.body;
    return body_of(res).value("namespace", json::object());
  }
};

TEST_F(NamespaceRoutes, CreateIs202ThenTheOperationCompletes) {
  auto const res = env_.call("POST", "/v1/namespaces", kCreateDb);
  ASSERT_EQ(res.status, 202U) << res.body;
  auto const j = body_of(res);
  EXPECT_EQ(j.at("changed"), true);
  auto const id = j.at("operation").at("id").get<std::int64_t>();
  ASSERT_EQ(res.headers.size(), 1U);
  EXPECT_EQ(res.headers[0].first, "Location");
  EXPECT_EQ(res.headers[0].second, "/v1/operations/" + std::to_string(id));
  EXPECT_EQ(res.operation_id, id);

  json op;
  for (int i = 0; i < 100; ++i) {
    auto const got = env_.call("GET", "/v1/operations/" + std::to_string(id) + "?wait=1");
    ASSERT_EQ(got.status, 200U) << got.body;
    op = body_of(got);
    if (op.at("state") == "completed") break;
  }
  EXPECT_EQ(op.at("state"), "completed") << op.dump();
  EXPECT_EQ(op.at("type"), "create-namespace");
  EXPECT_EQ(op.at("target"), "namespace/db");
  EXPECT_EQ(body_of(env_.call("GET", "/v1/namespaces/db")).at("mode"), "fsdax")
      << "the inventory was invalidated";

  ASSERT_EQ(env_.audits.size(), 1U);
  EXPECT_EQ(env_.audits[0].operation_id, id);
  EXPECT_EQ(env_.audits[0].status, 202U);
  EXPECT_EQ(env_.audits[0].result, "ok");
}

TEST_F(NamespaceRoutes, CreateWithWaitIs201ThenIdempotentThenConflicting) {
  auto const res = env_.call("POST", "/v1/namespaces?wait=10", kCreateDb);
  ASSERT_EQ(res.status, 201U) << res.body;
  auto const j = body_of(res);
  EXPECT_EQ(j.at("changed"), true);
  EXPECT_EQ(j.at("operation").at("state"), "completed");
  EXPECT_EQ(j.at("namespace").at("name"), "db");
  EXPECT_EQ(j.at("namespace").at("region"), "region0");
  EXPECT_EQ(j.at("namespace").at("mode"), "fsdax");

  auto const again = env_.call("POST", "/v1/namespaces?wait=10", kCreateDb);
  ASSERT_EQ(again.status, 200U) << again.body;
  EXPECT_EQ(body_of(again).at("changed"), false);
  EXPECT_EQ(body_of(again).at("namespace").at("dev"), j.at("namespace").at("dev"));
  EXPECT_EQ(again.operation_id, 0) << "nothing was submitted";

  auto const other =
      env_.call("POST", "/v1/namespaces", R"({"name":"db","region":"region0","size":"512M"})");
  EXPECT_EQ(other.status, 409U);
  EXPECT_EQ(body_of(other).at("type"), "urn:daxd:problem:already_exists");
  ASSERT_TRUE(env_.engine->list(10, 0));
  EXPECT_EQ(env_.engine->list(10, 0)->size(), 1U) << "only the first create ran";
}

TEST_F(NamespaceRoutes, DryRunShowsThePlanAndChangesNothing) {
  auto const res = env_.call("POST", "/v1/namespaces?dry_run=true", kCreateDb);
  ASSERT_EQ(res.status, 200U) << res.body;
  auto const j = body_of(res);
  EXPECT_EQ(j.at("dry_run"), true);
  EXPECT_EQ(j.at("changed"), false);
  EXPECT_EQ(j.at("plan").at("type"), "create-namespace");
  EXPECT_EQ(j.at("plan").at("target"), "namespace/db");
  EXPECT_FALSE(j.at("plan").at("steps").empty());
  EXPECT_TRUE(env_.host->nvdimm().list_namespaces()->empty());
  EXPECT_TRUE(env_.engine->list(10, 0)->empty());

  create_db();
  auto const del = env_.call("DELETE", "/v1/namespaces/db?dry_run=true");
  ASSERT_EQ(del.status, 200U) << del.body;
  EXPECT_EQ(body_of(del).at("plan").at("type"), "destroy-namespace");
  EXPECT_EQ(env_.host->nvdimm().list_namespaces()->size(), 1U);
}

TEST_F(NamespaceRoutes, BadRequestsAre400) {
  EXPECT_EQ(env_.call("POST", "/v1/namespaces", "{\"name\": ").status, 400U);
  EXPECT_EQ(env_.call("POST", "/v1/namespaces", "").status, 400U);
  EXPECT_EQ(env_.call("POST", "/v1/namespaces", R"({"name":"db","region":"region0"})").status,
            400U);
  EXPECT_EQ(env_.call("POST", "/v1/namespaces?wait=soon", kCreateDb).status, 400U);
  EXPECT_EQ(env_.call("POST", "/v1/namespaces?wait=3601", kCreateDb).status, 400U);
  EXPECT_EQ(env_.call("POST", "/v1/namespaces?dry_run=maybe", kCreateDb).status, 400U);
  EXPECT_EQ(env_.call("DELETE", "/v1/namespaces/db").status, 404U);
  EXPECT_EQ(env_.call("GET", "/v1/operations/77").status, 404U);
  EXPECT_EQ(env_.call("GET", "/v1/operations/x").status, 404U);
  EXPECT_EQ(env_.call("GET", "/v1/operations?limit=0").status, 400U);
}

TEST_F(NamespaceRoutes, DeleteIsRefusedWhileAProcessHoldsTheDevice) {
  auto const ns = create_db();
  std::string const dev = "/dev/" + ns.at("blockdev").get<std::string>();
  ASSERT_TRUE(env_.host->add_process(sim::process(4242, "postgres", {sim::open_fd(dev)})));

  auto const refused = env_.call("DELETE", "/v1/namespaces/db?wait=10");
  ASSERT_EQ(refused.status, 409U) << refused.body;
  auto const j = body_of(refused);
  EXPECT_EQ(j.at("type"), "urn:daxd:problem:busy");
  ASSERT_EQ(j.at("blockers").size(), 1U);
  EXPECT_EQ(j.at("blockers")[0].at("pid"), 4242);
  EXPECT_EQ(j.at("blockers")[0].at("command"), "postgres");

  auto const consumers = env_.call("GET", "/v1/consumers?namespace=db");
  ASSERT_EQ(consumers.status, 200U) << consumers.body;
  EXPECT_EQ(body_of(consumers).size(), 1U);

  ASSERT_TRUE(env_.host->remove_process(4242));
  auto const done = env_.call("DELETE", "/v1/namespaces/db?wait=10");
  ASSERT_EQ(done.status, 200U) << done.body;
  EXPECT_EQ(body_of(done).at("changed"), true);
  EXPECT_EQ(body_of(done).at("operation").at("state"), "completed");
  EXPECT_TRUE(env_.host->nvdimm().list_namespaces()->empty());
  EXPECT_EQ(env_.call("GET", "/v1/namespaces/db").status, 404U);
}

TEST_F(NamespaceRoutes, DeleteTakesForceAndPolicyFromTheQuery) {
  auto const ns = create_db();
  std::string const dev = "/dev/" + ns.at("blockdev").get<std::string>();
  ASSERT_TRUE(env_.host->add_process(sim::process(4343, "cache", {sim::open_fd(dev)})));
  auto const res = env_.call("DELETE", "/v1/namespaces/db?wait=20&policy=terminate&force=true");
  ASSERT_EQ(res.status, 200U) << res.body;
  EXPECT_TRUE(env_.host->nvdimm().list_namespaces()->empty());
  EXPECT_EQ(env_.call("DELETE", "/v1/namespaces/x?policy=kill").status, 404U);
}

TEST_F(NamespaceRoutes, ModeChangeOverAFilesystemNeedsForce) {
  auto const ns = create_db();
  std::string const dev = "/dev/" + ns.at("blockdev").get<std::string>();
  ASSERT_TRUE(env_.host->filesystems().make_filesystem(dev, FsType::ext4));

  auto const refused = env_.call("PATCH", "/v1/namespaces/db?wait=10", R"({"mode":"devdax"})");
  ASSERT_EQ(refused.status, 409U) << refused.body;
  EXPECT_EQ(body_of(refused).at("type"), "urn:daxd:problem:conflict");

  auto const forced =
      env_.call("PATCH", "/v1/namespaces/db?wait=10", R"({"mode":"devdax","force":true})");
  ASSERT_EQ(forced.status, 200U) << forced.body;
  auto const j = body_of(forced);
  EXPECT_EQ(j.at("changed"), true);
  EXPECT_EQ(j.at("namespace").at("mode"), "devdax");

  auto const same = env_.call("PATCH", "/v1/namespaces/db?wait=10", R"({"mode":"devdax"})");
  ASSERT_EQ(same.status, 200U) << same.body;
  EXPECT_EQ(body_of(same).at("changed"), false);
  EXPECT_EQ(body_of(same).at("operation").at("state"), "completed");
  EXPECT_EQ(env_.call("PATCH", "/v1/namespaces/db", R"({"mode":"floppy"})").status, 400U);
}

TEST_F(NamespaceRoutes, FailedOperationIsTheProblemOfItsErrorWithItsId) {
  ASSERT_TRUE(env_.host->inject_fault("nvdimm.create_namespace", EIO));
  auto const res = env_.call("POST", "/v1/namespaces?wait=10", kCreateDb);
  ASSERT_EQ(res.status, 500U) << res.body;
  EXPECT_EQ(res.content_type, "application/problem+json");
  auto const j = body_of(res);
  EXPECT_EQ(j.at("type"), "urn:daxd:problem:io_error");
  ASSERT_TRUE(j.contains("operation"));
  auto const id = j.at("operation").get<std::int64_t>();
  EXPECT_GT(id, 0);
  EXPECT_FALSE(j.at("detail").get<std::string>().empty());
  auto const op = body_of(env_.call("GET", "/v1/operations/" + std::to_string(id)));
  EXPECT_EQ(op.at("state"), "rolled_back");
  EXPECT_EQ(op.at("error"), j.at("detail"));
  ASSERT_EQ(env_.audits.size(), 1U);
  EXPECT_EQ(env_.audits[0].operation_id, id);
  EXPECT_EQ(env_.audits[0].result, "io_error");
}

TEST_F(NamespaceRoutes, NonAdminIs403AndNothingRuns) {
  auto const res = env_.call("POST", "/v1/namespaces?wait=10", kCreateDb, plain_peer());
  EXPECT_EQ(res.status, 403U);
  EXPECT_EQ(env_.call("DELETE", "/v1/namespaces/db", "", plain_peer()).status, 403U);
  EXPECT_EQ(env_.call("PATCH", "/v1/namespaces/db", "{}", plain_peer()).status, 403U);
  EXPECT_TRUE(env_.engine->list(10, 0)->empty());
}

TEST_F(NamespaceRoutes, WithoutAnEngineMutationsAre503) {
  env_.services->orchestrator = nullptr;
  auto const res = env_.call("POST", "/v1/namespaces", kCreateDb);
  EXPECT_EQ(res.status, 503U);
  EXPECT_EQ(body_of(res).at("type"), "urn:daxd:problem:unavailable");
  EXPECT_EQ(env_.call("GET", "/v1/operations").status, 503U);
}

TEST_F(NamespaceRoutes, OperationsAreListedNewestFirst) {
  create_db();
  ASSERT_EQ(env_.call("DELETE", "/v1/namespaces/db?wait=10").status, 200U);
  auto const list = body_of(env_.call("GET", "/v1/operations"));
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0].at("type"), "destroy-namespace");
  EXPECT_EQ(list[1].at("type"), "create-namespace");
  auto const second = body_of(env_.call("GET", "/v1/operations?limit=1&offset=1"));
  ASSERT_EQ(second.size(), 1U);
  EXPECT_EQ(second[0].at("type"), "create-namespace");
}

TEST_F(NamespaceRoutes, DmDevicesMountsAndConsumers) {
  auto const ns = create_db();
  std::string const dev = "/dev/" + ns.at("blockdev").get<std::string>();
  auto const made =
      env_.host->device_mapper().create("daxd-t", "", {DmTarget{0, 2048, "linear", dev + " 0"}});
  ASSERT_TRUE(made) << made.error().message;
  auto const mapper = std::string("/dev/mapper/daxd-t");
  ASSERT_TRUE(env_.host->filesystems().make_filesystem(mapper, FsType::ext4));
  ASSERT_TRUE(env_.host->filesystems().mount(mapper, "/mnt/db", FsType::ext4, DaxMode::always));
  env_.inventory->invalidate();

  auto const mounts = body_of(env_.call("GET", "/v1/mounts"));
  ASSERT_EQ(mounts.size(), 1U) << mounts.dump();
  EXPECT_EQ(mounts[0].at("target"), "/mnt/db");
  auto const dms = body_of(env_.call("GET", "/v1/dm-devices"));
  ASSERT_EQ(dms.size(), 1U) << dms.dump();
  EXPECT_EQ(dms[0].at("name"), "daxd-t");

  auto const consumers = body_of(env_.call("GET", "/v1/consumers?namespace=db"));
  ASSERT_GE(consumers.size(), 1U) << consumers.dump();
  std::set<std::string> kinds;
  for (auto const& c : consumers) kinds.insert(c.at("kind").get<std::string>());
  EXPECT_TRUE(kinds.contains("holder")) << consumers.dump();
  EXPECT_EQ(env_.call("GET", "/v1/consumers").status, 400U);
  EXPECT_EQ(env_.call("GET", "/v1/consumers?namespace=nope").status, 404U);
}

}  // namespace
}  // namespace daxd::api::testing
