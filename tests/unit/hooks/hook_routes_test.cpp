// SPDX-License-Identifier: Apache-2.0
// POST/GET/DELETE /v1/hooks and POST /v1/hooks/{id}/ack through the request handler.
#include <sys/stat.h>

#include <fstream>
#include <memory>

#include <gtest/gtest.h>

#include "daemon/orchestrator/hooks.h"
#include "tests/unit/api_volumes/volume_api_env.h"

namespace daxd::api::testing {
namespace {

using nlohmann::json;

class HookRoutes : public ::testing::Test {
 protected:
  VolumeApiEnv env_{::testing::UnitTest::GetInstance()->current_test_info()->name()};
  std::unique_ptr<orchestrator::Hooks> hooks_;
  std::string program_;

  void SetUp() override {
    hooks_ = std::make_unique<orchestrator::Hooks>(env_.state->desired(), *env_.host, *env_.sink);
    env_.services->hooks = hooks_.get();
    env_.make_namespace("a");
    auto const res = env_.call(
        "POST", "/v1/volumes?wait=10",
        R"({"name":"vol","namespaces":["a"],"filesystem":"ext4","mountpoint":"/mnt/vol"})");
    ASSERT_EQ(res.status, 201U) << res.body;
    program_ = (env_.dir / "hook.sh").string();
    std::ofstream(program_) << "#!/bin/sh\nexit 0\n";
    ASSERT_EQ(::chmod(program_.c_str(), 0755), 0);
  }
  void TearDown() override { env_.engine.reset(); }

  json exec_hook(std::string const& name = "app", int timeout_ms = 2000) {
    return {{"volume", "vol"},
            {"name", name},
            {"kind", "exec"},
            {"argv", {program_, "--flush"}},
            {"timeout_ms", timeout_ms}};
  }
};

TEST_F(HookRoutes, AddIsIdempotentAndConflictsOnADifferentSpec) {
  auto const first = env_.call("POST", "/v1/hooks", exec_hook().dump());
  ASSERT_EQ(first.status, 201U) << first.body;
  auto const hook = body_of(first).at("hook");
  EXPECT_EQ(body_of(first).at("changed"), true);
  EXPECT_EQ(hook.at("name"), "app");
  EXPECT_EQ(hook.at("kind"), "exec");
  EXPECT_EQ(hook.at("argv"), json({program_, "--flush"}));
  EXPECT_EQ(hook.at("timeout_ms"), 2000);
  EXPECT_GT(hook.at("id").get<std::int64_t>(), 0);

  auto const again = env_.call("POST", "/v1/hooks", exec_hook().dump());
  ASSERT_EQ(again.status, 200U) << again.body;
  EXPECT_EQ(body_of(again).at("changed"), false);
  EXPECT_EQ(body_of(again).at("hook"), hook);

  auto const other = env_.call("POST", "/v1/hooks", exec_hook("app", 3000).dump());
  EXPECT_EQ(other.status, 409U) << other.body;
  EXPECT_EQ(body_of(other).at("type"), "urn:daxd:problem:already_exists");

  auto const listed = body_of(env_.call("GET", "/v1/hooks"));
  EXPECT_EQ(listed, (json{{"hooks", json::array({hook})}}));
  EXPECT_EQ(body_of(env_.call("GET", "/v1/hooks?volume=other")).at("hooks"), json::array());
}

TEST_F(HookRoutes, DryRunStoresNothing) {
  auto const dry = env_.call("POST", "/v1/hooks?dry_run=true", exec_hook().dump());
  ASSERT_EQ(dry.status, 200U) << dry.body;
  EXPECT_EQ(body_of(dry).at("dry_run"), true);
  EXPECT_EQ(body_of(dry).at("changed"), false);
  EXPECT_EQ(body_of(dry).at("would_change"), true);
  EXPECT_EQ(body_of(env_.call("GET", "/v1/hooks")).at("hooks"), json::array()) << "not stored";
  auto bad = exec_hook();
  bad["argv"] = {"relative"};
  EXPECT_EQ(env_.call("POST", "/v1/hooks?dry_run=true", bad.dump()).status, 400U)
      << "a dry run still validates";
  auto const added = env_.call("POST", "/v1/hooks", exec_hook().dump());
  ASSERT_EQ(added.status, 201U) << added.body;
  auto const id = std::to_string(body_of(added).at("hook").at("id").get<std::int64_t>());
  auto const dry_delete = env_.call("DELETE", "/v1/hooks/" + id + "?dry_run=true");
  ASSERT_EQ(dry_delete.status, 200U) << dry_delete.body;
  EXPECT_EQ(body_of(dry_delete).at("would_change"), true);
  EXPECT_EQ(body_of(env_.call("GET", "/v1/hooks")).at("hooks").size(), 1U) << "still there";
}

TEST_F(HookRoutes, RefusalsAreProblems) {
  auto missing_volume = exec_hook();
  missing_volume["volume"] = "nope";
  EXPECT_EQ(env_.call("POST", "/v1/hooks", missing_volume.dump()).status, 404U);
  auto relative = exec_hook();
  relative["argv"] = {"hook.sh"};
  auto const bad = env_.call("POST", "/v1/hooks", relative.dump());
  EXPECT_EQ(bad.status, 400U) << bad.body;
  EXPECT_NE(bad.body.find("absolute path"), std::string::npos) << bad.body;
  ASSERT_EQ(::chmod(program_.c_str(), 0777), 0);
  auto const open = env_.call("POST", "/v1/hooks", exec_hook().dump());
  EXPECT_EQ(open.status, 400U) << open.body;
  EXPECT_NE(open.body.find("writable by others"), std::string::npos) << open.body;
  auto const remote =
      env_.call("POST", "/v1/hooks",
                R"({"volume":"vol","name":"w","kind":"http","url":"http://192.168.1.1:80/"})");
  EXPECT_EQ(remote.status, 400U) << remote.body;
  EXPECT_EQ(env_.call("POST", "/v1/hooks", "{not json").status, 400U);
}

TEST_F(HookRoutes, DeleteAnswersChanged) {
  auto const added = env_.call("POST", "/v1/hooks",
                               R"({"volume":"vol","name":"sub","kind":"event","timeout_ms":100})");
  ASSERT_EQ(added.status, 201U) << added.body;
  auto const id = std::to_string(body_of(added).at("hook").at("id").get<std::int64_t>());
  auto const removed = env_.call("DELETE", "/v1/hooks/" + id);
  ASSERT_EQ(removed.status, 200U) << removed.body;
  EXPECT_EQ(body_of(removed).at("changed"), true);
  auto const again = env_.call("DELETE", "/v1/hooks/" + id);
  ASSERT_EQ(again.status, 200U) << again.body;
  EXPECT_EQ(body_of(again).at("changed"), false);
  EXPECT_EQ(env_.call("DELETE", "/v1/hooks/abc").status, 400U);
  EXPECT_EQ(body_of(env_.call("GET", "/v1/hooks")).at("hooks"), json::array());
}

TEST_F(HookRoutes, AckAnswers404And409AndAcceptsResume) {
  auto const added = env_.call("POST", "/v1/hooks",
                               R"({"volume":"vol","name":"sub","kind":"event","timeout_ms":100})");
  ASSERT_EQ(added.status, 201U) << added.body;
  auto const id = std::to_string(body_of(added).at("hook").at("id").get<std::int64_t>());
  auto const unknown = env_.call("POST", "/v1/hooks/999/ack", R"({"operation":3})");
  EXPECT_EQ(unknown.status, 404U) << unknown.body;
  auto const nothing = env_.call("POST", "/v1/hooks/" + id + "/ack", R"({"operation":3})");
  EXPECT_EQ(nothing.status, 409U) << nothing.body;
  auto const resume =
      env_.call("POST", "/v1/hooks/" + id + "/ack", R"({"operation":3,"phase":"resume"})");
  EXPECT_EQ(resume.status, 200U) << resume.body;
  EXPECT_EQ(body_of(resume), (json{{"acknowledged", true}}));
  EXPECT_EQ(env_.call("POST", "/v1/hooks/" + id + "/ack", R"({"operation":0})").status, 400U);
  EXPECT_EQ(env_.call("POST", "/v1/hooks/" + id + "/ack", R"({"operation":3,"phase":"x"})").status,
            400U);
}

TEST_F(HookRoutes, AnswerUnavailableWithoutHooks) {
  env_.services->hooks = nullptr;
  EXPECT_EQ(env_.call("GET", "/v1/hooks").status, 503U);
}

}  // namespace
}  // namespace daxd::api::testing
