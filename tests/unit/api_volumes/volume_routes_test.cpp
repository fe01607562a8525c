// SPDX-License-Identifier: Apache-2.0
// POST/DELETE/PATCH /v1/volumes, POST /v1/volumes/{name}/grow and GET /v1/consumers?volume=
// through the real engine on the sim host.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/api_volumes/volume_api_env.h"

namespace daxd::api::testing {
namespace {

using nlohmann::json;
namespace sim = host::sim;

constexpr char kCreateVol[] =
    R"({"name":"vol","namespaces":["a"],"filesystem":"ext4","mountpoint":"/mnt/vol","dax":"always"})";
constexpr std::uint64_t kMiB = 1ULL << 20;

class VolumeRoutes : public ::testing::Test {
 protected:
  VolumeApiEnv env_{::testing::UnitTest::GetInstance()->current_test_info()->name()};

  /// Namespace "a" and volume "vol" over it, mounted at /mnt/vol with dax=always.
  json create_vol() {
    env_.make_namespace("a");
    auto const res = env_.call("POST", "/v1/volumes?wait=10", kCreateVol);
    EXPECT_EQ(res.status, 201U) << res.body;
    return body_of(res);
  }

  std::string mounted_dax() {
    for (auto const& m : env_.host->state().mounts) {
      if (m.target == "/mnt/vol") return std::string(to_string(m.dax));
    }
    return "unmounted";
  }
};

TEST_F(VolumeRoutes, CreateIs201ThenIdempotentThenConflicting) {
  auto const j = create_vol();
  EXPECT_EQ(j.at("changed"), true);
  EXPECT_EQ(j.at("operation").at("type"), "create-volume");
  EXPECT_EQ(j.at("operation").at("state"), "completed");
  auto const& v = j.at("volume");
  EXPECT_EQ(v.at("name"), "vol");
  EXPECT_EQ(v.at("state"), "active");
  EXPECT_EQ(v.at("dax"), "always");
  EXPECT_EQ(v.at("dm_name"), "daxd-vol");
  EXPECT_FALSE(v.value("blockdev", "").empty()) << "the answer shows the live view: " << v.dump();
  EXPECT_EQ(v, body_of(env_.call("GET", "/v1/volumes/vol"))) << "as GET shows it";
  EXPECT_EQ(mounted_dax(), "always");

  auto const again = env_.call("POST", "/v1/volumes?wait=10", kCreateVol);
  ASSERT_EQ(again.status, 200U) << again.body;
  EXPECT_EQ(body_of(again).at("changed"), false);
  EXPECT_EQ(body_of(again).at("volume"), v);
  EXPECT_EQ(again.operation_id, 0) << "nothing was submitted";

  auto const other = env_.call(
      "POST", "/v1/volumes",
      R"({"name":"vol","namespaces":["a"],"mountpoint":"/mnt/vol","dax":"never"})");
  EXPECT_EQ(other.status, 409U) << other.body;
  EXPECT_EQ(body_of(other).at("type"), "urn:daxd:problem:already_exists");
  EXPECT_EQ(env_.engine->list(10, 0)->size(), 2U) << "namespace and one volume create";
}

TEST_F(VolumeRoutes, CreateIs202WithoutWaitAndTheViewFollows) {
  env_.make_namespace("a");
  auto const res = env_.call("POST", "/v1/volumes", kCreateVol);
  ASSERT_EQ(res.status, 202U) << res.body;
  auto const id = body_of(res).at("operation").at("id").get<std::int64_t>();
  ASSERT_TRUE(env_.engine->wait(id, std::chrono::seconds(10)));
  env_.inventory->invalidate();
  EXPECT_EQ(body_of(env_.call("GET", "/v1/volumes/vol")).at("state"), "active");
}

TEST_F(VolumeRoutes, StripedWithSizeAndExtentAliases) {
  env_.make_namespace("a");
  env_.make_namespace("b", "region1");
  auto const res = env_.call("POST", "/v1/volumes?wait=10",
                             R"({"name":"st","namespaces":["a","b"],"layout":"striped",
                                 "stripe_size":"2M","size":"128M","filesystem":"ext4",
                                 "mountpoint":"/mnt/st","dax":"always"})");
  ASSERT_EQ(res.status, 201U) << res.body;
  auto const v = body_of(res).at("volume");
  EXPECT_EQ(v.at("layout"), "striped");
  EXPECT_EQ(v.at("size"), 128 * kMiB);
  ASSERT_EQ(v.at("extents").size(), 2U);
  EXPECT_EQ(v.at("extents")[0].at("length"), 64 * kMiB);
  EXPECT_EQ(v.at("extents")[1].at("namespace"), "b");

  // Linear, with an extent given as the contract's {namespace, offset, size}.
  auto const lin = env_.call("POST", "/v1/volumes?wait=10",
                             R"({"name":"lin","filesystem":"none","extents":[
                                 {"namespace":"a","offset":"128M","size":"32M"}]})");
  ASSERT_EQ(lin.status, 201U) << lin.body;
  auto const l = body_of(lin).at("volume");
  EXPECT_EQ(l.at("size"), 32 * kMiB);
  EXPECT_EQ(l.at("extents")[0].at("offset"), 128 * kMiB);

  auto const cut = env_.call("POST", "/v1/volumes?dry_run=true",
                             R"({"name":"cut","namespaces":["b"],"size":"3M"})");
  EXPECT_EQ(cut.status, 400U) << "not a multiple of 2 MiB: " << cut.body;
  auto const big = env_.call("POST", "/v1/volumes?dry_run=true",
                             R"({"name":"big","namespaces":["b"],"size":"1G"})");
  EXPECT_EQ(big.status, 400U) << big.body;
  auto const uneven = env_.call("POST", "/v1/volumes?dry_run=true",
                                R"({"name":"un","namespaces":["a","b"],"layout":"striped",
                                    "size":"6M"})");
  EXPECT_EQ(uneven.status, 400U) << uneven.body;
}

TEST_F(VolumeRoutes, DryRunsChangeNothing) {
  env_.make_namespace("a");
  env_.make_namespace("b", "region1");
  auto const plan = env_.call("POST", "/v1/volumes?dry_run=true", kCreateVol);
  ASSERT_EQ(plan.status, 200U) << plan.body;
  EXPECT_EQ(body_of(plan).at("plan").at("type"), "create-volume");
  EXPECT_EQ(body_of(plan).at("dry_run"), true);
  EXPECT_TRUE(env_.host->state().dm_devices.empty());
  ASSERT_EQ(env_.call("POST", "/v1/volumes?wait=10", kCreateVol).status, 201U);

  auto const existing = body_of(env_.call("POST", "/v1/volumes?dry_run=true", kCreateVol));
  EXPECT_EQ(existing.at("changed"), false);
  EXPECT_EQ(existing.at("dry_run"), true);
  for (auto const& [method, target, body] :
       {std::tuple{"DELETE", "/v1/volumes/vol?dry_run=true", ""},
        std::tuple{"PATCH", "/v1/volumes/vol?dry_run=true", R"({"dax":"never"})"},
        std::tuple{"POST", "/v1/volumes/vol/grow?dry_run", R"({"namespaces":["b"]})"}}) {
    auto const res = env_.call(method, target, body);
    EXPECT_EQ(res.status, 200U) << target << res.body;
    EXPECT_EQ(body_of(res).at("dry_run"), true) << target;
  }
  EXPECT_EQ(mounted_dax(), "always");
  EXPECT_EQ(env_.host->state().dm_devices.size(), 1U);
}

TEST_F(VolumeRoutes, SetDaxCyclesAndSaysUnchanged) {
  create_vol();
  for (auto const* mode : {"never", "always"}) {
    auto const res =
        env_.call("PATCH", "/v1/volumes/vol?wait=10", json{{"dax", mode}}.dump());
    ASSERT_EQ(res.status, 200U) << mode << res.body;
    auto const j = body_of(res);
    EXPECT_EQ(j.at("changed"), true);
    EXPECT_EQ(j.at("operation").at("type"), "set-dax");
    EXPECT_EQ(j.at("volume").at("dax"), mode);
    EXPECT_EQ(mounted_dax(), mode);
  }
  auto const same = env_.call("PATCH", "/v1/volumes/vol?wait=10", R"({"dax":"always"})");
  ASSERT_EQ(same.status, 200U) << same.body;
  EXPECT_EQ(body_of(same).at("changed"), false);
  EXPECT_EQ(body_of(same).at("operation").at("state"), "completed");

  EXPECT_EQ(env_.call("PATCH", "/v1/volumes/vol", R"({"dax":"sometimes"})").status, 400U);
  EXPECT_EQ(env_.call("PATCH", "/v1/volumes/vol", R"({})").status, 400U);
  EXPECT_EQ(env_.call("PATCH", "/v1/volumes/vol?deadline_ms=soon", R"({"dax":"never"})").status,
            400U);
  EXPECT_EQ(env_.call("PATCH", "/v1/volumes/nope", R"({"dax":"never"})").status, 404U);
}

TEST_F(VolumeRoutes, SetDaxUnderMapSyncIs409NamingThePid) {
  create_vol();
  ASSERT_TRUE(env_.host->add_process(
      sim::process(777, "pgwal", {sim::mapping("/mnt/vol/wal", /*map_sync=*/true)})));
  auto const refused = env_.call("PATCH", "/v1/volumes/vol?wait=10", R"({"dax":"never"})");
  ASSERT_EQ(refused.status, 409U) << refused.body;
  auto const j = body_of(refused);
  EXPECT_EQ(j.at("type"), "urn:daxd:problem:busy");
  EXPECT_NE(j.at("detail").get<std::string>().find("pid 777 (pgwal)"), std::string::npos);
  ASSERT_EQ(j.at("blockers").size(), 1U);
  EXPECT_EQ(j.at("blockers")[0].at("map_sync"), true);

  auto const consumers = env_.call("GET", "/v1/consumers?volume=vol");
  ASSERT_EQ(consumers.status, 200U) << consumers.body;
  auto const c = body_of(consumers);
  EXPECT_EQ(c.at("volume"), "vol");
  bool found = false;
  for (auto const& one : c.at("consumers")) found |= one.value("pid", 0) == 777;
  EXPECT_TRUE(found) << c.dump();

  // terminate takes the query's policy and deadline, and goes through.
  auto const done =
      env_.call("PATCH", "/v1/volumes/vol?wait=10&policy=terminate&deadline_ms=100",
                R"({"dax":"never"})");
  ASSERT_EQ(done.status, 200U) << done.body;
  EXPECT_EQ(mounted_dax(), "never");
  EXPECT_TRUE(env_.host->state().processes.empty());
}

TEST_F(VolumeRoutes, GrowAppendsANamespace) {
  env_.make_namespace("a");
  env_.make_namespace("b", "region1");
  ASSERT_EQ(env_.call("POST", "/v1/volumes?wait=10", R"({"name":"vol","namespaces":["a"]})")
                .status,
            201U);
  auto const before = body_of(env_.call("GET", "/v1/volumes/vol")).at("size").get<std::uint64_t>();
  auto const res = env_.call("POST", "/v1/volumes/vol/grow?wait=10", R"({"namespaces":["b"]})");
  ASSERT_EQ(res.status, 200U) << res.body;
  auto const j = body_of(res);
  EXPECT_EQ(j.at("changed"), true);
  EXPECT_EQ(j.at("operation").at("type"), "grow-volume");
  EXPECT_EQ(j.at("volume").at("extents").size(), 2U);
  EXPECT_GT(j.at("volume").at("size").get<std::uint64_t>(), before);
  EXPECT_EQ(env_.call("POST", "/v1/volumes/vol/grow", "").status, 400U);
  EXPECT_EQ(env_.call("POST", "/v1/volumes/nope/grow", R"({"namespaces":["b"]})").status, 404U);
}

TEST_F(VolumeRoutes, DestroyRefusesUsersThenGoes) {
  create_vol();
  ASSERT_TRUE(
      env_.host->add_process(sim::process(31, "reader", {sim::open_fd("/mnt/vol/f")})));
  auto const refused = env_.call("DELETE", "/v1/volumes/vol?wait=10");
  ASSERT_EQ(refused.status, 409U) << refused.body;
  EXPECT_EQ(body_of(refused).at("blockers")[0].at("pid"), 31);
  EXPECT_EQ(env_.call("DELETE", "/v1/volumes/vol?policy=kill").status, 400U);

  auto const done = env_.call("DELETE", "/v1/volumes/vol?wait=10", R"({"policy":"terminate",
                                                                       "deadline_ms":100})");
  ASSERT_EQ(done.status, 200U) << done.body;
  EXPECT_EQ(body_of(done).at("changed"), true);
  EXPECT_EQ(body_of(done).at("operation").at("type"), "destroy-volume");
  EXPECT_TRUE(env_.host->state().dm_devices.empty());
  EXPECT_EQ(env_.call("GET", "/v1/volumes/vol").status, 404U);
  EXPECT_EQ(env_.call("DELETE", "/v1/volumes/vol").status, 404U);
  EXPECT_EQ(env_.call("GET", "/v1/consumers?volume=vol").status, 404U);
}

TEST_F(VolumeRoutes, BadRequestsAndMissingServices) {
  env_.make_namespace("a");
  EXPECT_EQ(env_.call("POST", "/v1/volumes", "").status, 400U);
  EXPECT_EQ(env_.call("POST", "/v1/volumes", "[1]").status, 400U);
  EXPECT_EQ(env_.call("POST", "/v1/volumes", R"({"name":"v"})").status, 400U);
  EXPECT_EQ(env_.call("POST", "/v1/volumes", R"({"name":"v","namespaces":["zz"]})").status,
            404U);
  EXPECT_EQ(env_.call("POST", "/v1/volumes?wait=x", kCreateVol).status, 400U);
  EXPECT_EQ(env_.call("GET", "/v1/consumers?volume=v&namespace=a").status, 400U);
  EXPECT_EQ(env_.call("POST", "/v1/volumes", kCreateVol, plain_peer()).status, 403U);

  env_.services->desired = nullptr;
  EXPECT_EQ(env_.call("POST", "/v1/volumes", kCreateVol).status, 503U);
  EXPECT_EQ(env_.call("PATCH", "/v1/volumes/vol", R"({"dax":"never"})").status, 503U);
  EXPECT_EQ(env_.call("GET", "/v1/consumers?volume=vol").status, 503U);
  EXPECT_TRUE(env_.host->state().dm_devices.empty());
}

}  // namespace
}  // namespace daxd::api::testing
