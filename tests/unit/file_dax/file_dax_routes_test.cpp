// SPDX-License-Identifier: Apache-2.0
// GET and PATCH /v1/volumes/{name}/files over the real engine on the sim host.
#include <gtest/gtest.h>

#include "daemon/orchestrator/file_dax.h"
#include "daemon/orchestrator/volume_spec.h"
#include "tests/unit/api_volumes/volume_api_env.h"

namespace daxd::api::testing {
namespace {

using nlohmann::json;

constexpr char kNode[] = "/dev/mapper/daxd-vol";

struct FileApiEnv : VolumeApiEnv {
  explicit FileApiEnv(std::string const& name) : VolumeApiEnv("files-" + name) {
    orchestrator::register_file_dax_operations(*engine, state->desired());
  }
  void make_volume(std::string const& dax) {
    make_namespace("a");
    auto req = orchestrator::normalise_create_volume(
        *host, {{"name", "vol"}, {"namespaces", {"a"}}, {"mountpoint", "/mnt/vol"}, {"dax", dax}});
    ASSERT_TRUE(req) << req.error().message;
    auto sub = engine->submit(orchestrator::kCreateVolume, *req);
    ASSERT_TRUE(sub) << sub.error().message;
    auto done = engine->wait(sub->operation.id, std::chrono::seconds(10));
    ASSERT_TRUE(done);
    ASSERT_EQ(done->state, OperationState::completed) << done->error;
    ASSERT_TRUE(host->write_file(kNode, "/data", "x"));
  }
};

TEST(FileDaxRoutes, GetShowsTheFlagAndPatchChangesIt) {
  FileApiEnv env("get-patch");
  env.make_volume("inode");
  auto const before = env.call("GET", "/v1/volumes/vol/files?path=/mnt/vol/data");
  ASSERT_EQ(before.status, 200U) << before.body;
  EXPECT_EQ(body_of(before), (json{{"volume", "vol"},
                                   {"path", "/mnt/vol/data"},
                                   {"dax_flag", false},
                                   {"effective_dax", false}}));

  auto const dry = env.call("PATCH", "/v1/volumes/vol/files?dry_run=true",
                            json{{"path", "data"}, {"dax", true}}.dump());
  ASSERT_EQ(dry.status, 200U) << dry.body;
  EXPECT_EQ(body_of(dry).at("plan").at("type"), "set-file-dax");
  EXPECT_FALSE(env.host->filesystems().file_dax_state("/mnt/vol", "data")->dax_flag);

  auto const set = env.call("PATCH", "/v1/volumes/vol/files?wait=10",
                            json{{"path", "data"}, {"dax", true}}.dump());
  ASSERT_EQ(set.status, 200U) << set.body;
  auto const out = body_of(set);
  EXPECT_TRUE(out.at("changed"));
  EXPECT_EQ(out.at("operation").at("type"), "set-file-dax");
  EXPECT_TRUE(out.at("file").at("dax_flag"));
  EXPECT_TRUE(out.at("file").at("effective_dax"));

  auto const again = env.call("PATCH", "/v1/volumes/vol/files?wait=10",
                              json{{"path", "/mnt/vol/data"}, {"dax", true}}.dump());
  ASSERT_EQ(again.status, 200U) << again.body;
  EXPECT_FALSE(body_of(again).at("changed"));
}

TEST(FileDaxRoutes, ProblemsForBadRequestsAndHolders) {
  FileApiEnv env("problems");
  env.make_volume("inode");
  EXPECT_EQ(env.call("GET", "/v1/volumes/vol/files").status, 400U);
  EXPECT_EQ(env.call("GET", "/v1/volumes/vol/files?path=/etc/passwd").status, 400U);
  EXPECT_EQ(env.call("GET", "/v1/volumes/vol/files?path=../x").status, 400U);
  EXPECT_EQ(env.call("GET", "/v1/volumes/vol/files?path=missing").status, 404U);
  EXPECT_EQ(env.call("GET", "/v1/volumes/nope/files?path=data").status, 404U);
  EXPECT_EQ(env.call("PATCH", "/v1/volumes/vol/files", json{{"path", "data"}}.dump()).status, 400U);
  ASSERT_TRUE(
      env.host->add_process(host::sim::process(900, "pg", {host::sim::open_fd("/mnt/vol/data")})));
  auto const busy = env.call("PATCH", "/v1/volumes/vol/files?wait=10",
                             json{{"path", "data"}, {"dax", true}}.dump());
  EXPECT_EQ(busy.status, 409U) << busy.body;
  EXPECT_NE(busy.body.find("pid 900 (pg)"), std::string::npos) << busy.body;
  auto const ended = env.call("PATCH", "/v1/volumes/vol/files?wait=10&policy=terminate",
                              json{{"path", "data"}, {"dax", true}}.dump());
  ASSERT_EQ(ended.status, 200U) << ended.body;
  EXPECT_TRUE(body_of(ended).at("file").at("effective_dax"));
}

TEST(FileDaxRoutes, NonInodeMountAnswersWithANote) {
  FileApiEnv env("note");
  env.make_volume("always");
  auto const set = env.call("PATCH", "/v1/volumes/vol/files?wait=10",
                            json{{"path", "data"}, {"dax", true}}.dump());
  ASSERT_EQ(set.status, 200U) << set.body;
  auto const file = body_of(set).at("file");
  EXPECT_TRUE(file.at("dax_flag"));
  EXPECT_NE(file.value("note", "").find("dax=always"), std::string::npos) << file.dump();
}

}  // namespace
}  // namespace daxd::api::testing
