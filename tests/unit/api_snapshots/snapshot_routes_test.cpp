// SPDX-License-Identifier: Apache-2.0
// /v1/volumes/{name}/snapshots through the real engine on the sim host: create (copy, cow,
// auto; CSI idempotency), list, get, mount, destroy, restore, dry runs, and the answers to bad
// requests.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/api_snapshots/snapshot_api_env.h"

namespace daxd::api::testing {
namespace {

using nlohmann::json;

constexpr char kCopy[] = R"({"name":"n1","method":"copy","namespaces":["s"]})";
constexpr char kCow[] = R"({"name":"c1","method":"cow","namespaces":["c"]})";

class SnapshotRoutes : public ::testing::Test {
 protected:
  SnapshotApiEnv env_{::testing::UnitTest::GetInstance()->current_test_info()->name()};

  std::string problem_type(Response const& res) { return body_of(res).value("type", ""); }
};

TEST_F(SnapshotRoutes, BadRequestsAreProblemsBeforeTheEngine) {
  env_.make_namespace("a");
  auto const wait = env_.call("POST", "/v1/volumes/vol/snapshots?wait=x", kCopy);
  EXPECT_EQ(wait.status, 400U) << wait.body;
  EXPECT_EQ(wait.content_type, "application/problem+json");
  EXPECT_EQ(env_.call("POST", "/v1/volumes/vol/snapshots?dry_run=maybe", kCopy).status, 400U);
  EXPECT_EQ(env_.call("POST", "/v1/volumes/vol/snapshots", "not json").status, 400U);
  EXPECT_EQ(env_.call("POST", "/v1/volumes/vol/snapshots", "").status, 400U);
  EXPECT_EQ(env_.call("POST", "/v1/volumes/vol/snapshots", "[1]").status, 400U);
  auto const other = env_.call("POST", "/v1/volumes/vol/snapshots",
                               R"({"name":"n1","volume":"db","namespaces":["s"]})");
  EXPECT_EQ(other.status, 400U) << other.body;
  EXPECT_NE(body_of(other).value("detail", "").find("not the volume of the path"),
            std::string::npos);
  EXPECT_EQ(env_.call("PATCH", "/v1/volumes/vol/snapshots/n1", "{}").status, 400U);
  EXPECT_EQ(env_.call("DELETE", "/v1/volumes/vol/snapshots/n1?deadline_ms=soon").status, 400U);
  auto const put = env_.call("PUT", "/v1/volumes/vol/snapshots");
  EXPECT_EQ(put.status, 405U);
  auto const restore_get = env_.call("GET", "/v1/volumes/vol/snapshots/n1/restore");
  EXPECT_EQ(restore_get.status, 405U);
  EXPECT_TRUE(env_.engine->list(10, 0)->size() == 1U) << "only the namespace was made";
}

TEST_F(SnapshotRoutes, WithoutDesiredStateTheyAreUnavailable) {
  env_.services->desired = nullptr;
  EXPECT_EQ(env_.call("GET", "/v1/volumes/vol/snapshots").status, 503U);
  EXPECT_EQ(env_.call("GET", "/v1/volumes/vol/snapshots/n1").status, 503U);
  EXPECT_EQ(env_.call("POST", "/v1/volumes/vol/snapshots", kCopy).status, 503U);
  EXPECT_EQ(env_.call("DELETE", "/v1/volumes/vol/snapshots/n1").status, 503U);
  EXPECT_EQ(env_.call("POST", "/v1/volumes/vol/snapshots/n1/restore").status, 503U);
  EXPECT_EQ(env_.call("PATCH", "/v1/volumes/vol/snapshots/n1", R"({"mountpoint":""})").status,
            503U);
}

TEST_F(SnapshotRoutes, UnknownVolumeAndSnapshotAreNotFound) {
  EXPECT_EQ(env_.call("GET", "/v1/volumes/nope/snapshots").status, 404U);
  EXPECT_EQ(env_.call("POST", "/v1/volumes/nope/snapshots?dry_run=true", kCopy).status, 404U);
  env_.make_volume();
  auto const list = env_.call("GET", "/v1/volumes/vol/snapshots");
  ASSERT_EQ(list.status, 200U) << list.body;
  EXPECT_EQ(body_of(list), json::array());
  EXPECT_EQ(env_.call("GET", "/v1/volumes/vol/snapshots/n1").status, 404U);
  EXPECT_EQ(env_.call("DELETE", "/v1/volumes/vol/snapshots/n1").status, 404U);
  EXPECT_EQ(env_.call("POST", "/v1/volumes/vol/snapshots/n1/restore").status, 404U);
  EXPECT_EQ(env_.call("PATCH", "/v1/volumes/vol/snapshots/n1", R"({"mountpoint":"/mnt/x"})").status,
            404U);
}

TEST_F(SnapshotRoutes, CopyIsCreatedOnceThenIdempotentThenConflicting) {
  env_.make_volume();
  auto const res = env_.call("POST", "/v1/volumes/vol/snapshots?wait=10", kCopy);
  ASSERT_EQ(res.status, 201U) << res.body;
  auto const j = body_of(res);
  EXPECT_EQ(j.at("changed"), true);
  EXPECT_EQ(j.at("operation").at("type"), "create-snapshot");
  EXPECT_EQ(j.at("operation").at("state"), "completed");
  auto const& s = j.at("snapshot");
  EXPECT_EQ(s.at("name"), "n1");
  EXPECT_EQ(s.at("volume"), "vol");
  EXPECT_EQ(s.at("method"), "copy");
  EXPECT_EQ(s.at("dax_capable"), true) << s.dump();
  EXPECT_EQ(s.at("dm_name"), "daxd-vol@n1");
  EXPECT_EQ(s.at("state"), "active");
  EXPECT_EQ(s, body_of(env_.call("GET", "/v1/volumes/vol/snapshots/n1"))) << "as GET shows it";
  EXPECT_EQ(body_of(env_.call("GET", "/v1/volumes/vol/snapshots")), json::array({s}));

  auto const again = env_.call("POST", "/v1/volumes/vol/snapshots?wait=10", kCopy);
  ASSERT_EQ(again.status, 200U) << again.body;
  EXPECT_EQ(body_of(again).at("changed"), false);
  EXPECT_EQ(body_of(again).at("snapshot"), s);
  EXPECT_EQ(again.operation_id, 0) << "nothing was submitted";
  auto const dry_again = env_.call("POST", "/v1/volumes/vol/snapshots?dry_run=true", kCopy);
  EXPECT_EQ(dry_again.status, 200U);
  EXPECT_EQ(body_of(dry_again).at("changed"), false);

  auto const other = env_.call("POST", "/v1/volumes/vol/snapshots",
                               R"({"name":"n1","method":"cow","namespaces":["c"]})");
  EXPECT_EQ(other.status, 409U) << other.body;
  EXPECT_EQ(problem_type(other), "urn:daxd:problem:already_exists");
}

TEST_F(SnapshotRoutes, DryRunSaysTheMethodAndTheStopAndChangesNothing) {
  env_.make_volume();
  auto const copy = env_.call("POST", "/v1/volumes/vol/snapshots?dry_run=true",
                              R"({"name":"n1","namespaces":["s"]})");
  ASSERT_EQ(copy.status, 200U) << copy.body;
  auto const j = body_of(copy);
  EXPECT_EQ(j.at("dry_run"), true);
  EXPECT_EQ(j.at("plan").at("type"), "create-snapshot");
  EXPECT_EQ(j.at("method"), "copy") << "auto copies when the store holds the volume";
  EXPECT_FALSE(j.value("method_reason", "").empty()) << j.dump();
  EXPECT_TRUE(j.at("expected_stop_ms").is_number());
  auto const cow = env_.call("POST", "/v1/volumes/vol/snapshots?dry_run=true",
                             R"({"name":"c1","namespaces":["c"]})");
  ASSERT_EQ(cow.status, 200U) << cow.body;
  EXPECT_EQ(body_of(cow).at("method"), "cow") << "the store is smaller than the volume";
  EXPECT_EQ(body_of(env_.call("GET", "/v1/volumes/vol/snapshots")), json::array());
  for (auto const* target : {"DELETE /v1/volumes/vol/snapshots/n1?dry_run=true",
                             "POST /v1/volumes/vol/snapshots/n1/restore?dry_run=true"}) {
    std::string const t(target);
    auto const space = t.find(' ');
    EXPECT_EQ(env_.call(t.substr(0, space), t.substr(space + 1)).status, 404U) << target;
  }
}

TEST_F(SnapshotRoutes, CopyMountsReadOnlyThenIsDestroyed) {
  env_.make_volume();
  ASSERT_EQ(env_.call("POST", "/v1/volumes/vol/snapshots?wait=10", kCopy).status, 201U);
  auto const mounted =
      env_.call("PATCH", "/v1/volumes/vol/snapshots/n1?wait=10", R"({"mountpoint":"/mnt/n1"})");
  ASSERT_EQ(mounted.status, 200U) << mounted.body;
  EXPECT_EQ(body_of(mounted).at("changed"), true);
  EXPECT_EQ(body_of(mounted).at("snapshot").at("mountpoint"), "/mnt/n1");
  bool found = false;
  for (auto const& m : env_.host->state().mounts) found |= m.target == "/mnt/n1";
  EXPECT_TRUE(found) << "the sim host has the mount";
  auto const same =
      env_.call("PATCH", "/v1/volumes/vol/snapshots/n1?wait=10", R"({"mountpoint":"/mnt/n1"})");
  ASSERT_EQ(same.status, 200U) << same.body;
  EXPECT_EQ(body_of(same).at("changed"), false);
  auto const unmounted =
      env_.call("PATCH", "/v1/volumes/vol/snapshots/n1?wait=10", R"({"mountpoint":""})");
  ASSERT_EQ(unmounted.status, 200U) << unmounted.body;
  EXPECT_FALSE(body_of(unmounted).at("snapshot").contains("mountpoint"));

  auto const plan = env_.call("DELETE", "/v1/volumes/vol/snapshots/n1?dry_run=true");
  ASSERT_EQ(plan.status, 200U) << plan.body;
  EXPECT_EQ(body_of(plan).at("plan").at("type"), "destroy-snapshot");
  auto const destroyed = env_.call("DELETE", "/v1/volumes/vol/snapshots/n1?wait=10");
  ASSERT_EQ(destroyed.status, 200U) << destroyed.body;
  EXPECT_EQ(body_of(destroyed).at("changed"), true);
  EXPECT_EQ(body_of(destroyed).at("operation").at("type"), "destroy-snapshot");
  EXPECT_EQ(env_.call("GET", "/v1/volumes/vol/snapshots/n1").status, 404U);
}

TEST_F(SnapshotRoutes, CowSuspendsDaxUntilItIsRestored) {
  env_.make_volume();
  auto const res = env_.call("POST", "/v1/volumes/vol/snapshots?wait=10", kCow);
  ASSERT_EQ(res.status, 201U) << res.body;
  EXPECT_EQ(body_of(res).at("snapshot").at("method"), "cow");
  EXPECT_EQ(body_of(res).at("snapshot").at("dax_capable"), false);
  env_.inventory->invalidate();
  EXPECT_EQ(body_of(env_.call("GET", "/v1/volumes/vol")).at("dax_capable"), false);
  auto const set_dax = env_.call("PATCH", "/v1/volumes/vol?dry_run=true", R"({"dax":"never"})");
  EXPECT_EQ(set_dax.status, 409U) << "set-dax refuses a volume with cow snapshots: "
                                  << set_dax.body;

  auto const restored = env_.call("POST", "/v1/volumes/vol/snapshots/c1/restore?wait=10");
  ASSERT_EQ(restored.status, 200U) << restored.body;
  auto const j = body_of(restored);
  EXPECT_EQ(j.at("operation").at("type"), "restore-snapshot");
  EXPECT_EQ(j.at("volume").at("name"), "vol");
  EXPECT_EQ(j.at("volume").at("dax_capable"), true) << "DAX is back: " << j.dump();
  EXPECT_EQ(body_of(env_.call("GET", "/v1/volumes/vol/snapshots")), json::array())
      << "the restored snapshot is consumed";
}

TEST_F(SnapshotRoutes, WithoutWaitTheAnswerIs202AndTheOperationFollows) {
  env_.make_volume();
  auto const res = env_.call("POST", "/v1/volumes/vol/snapshots", kCopy);
  ASSERT_EQ(res.status, 202U) << res.body;
  bool located = false;
  for (auto const& [key, value] : res.headers) located |= key == "Location";
  EXPECT_TRUE(located);
  auto const id = body_of(res).at("operation").at("id").get<std::int64_t>();
  auto const op = env_.engine->wait(id, std::chrono::seconds(10));
  ASSERT_TRUE(op);
  EXPECT_EQ(op->state, OperationState::completed) << op->error;
  EXPECT_EQ(body_of(env_.call("GET", "/v1/volumes/vol/snapshots/n1")).at("state"), "active");
}

}  // namespace
}  // namespace daxd::api::testing
