// SPDX-License-Identifier: Apache-2.0
// set-file-dax on the sim host: set and clear verified by statx, holders refused or terminated,
// paths that leave the volume refused, non-inode mounts noted, faults rolling the flag back.
#include <cerrno>

#include <gtest/gtest.h>

#include "daemon/host/sim/sim_control.h"
#include "tests/unit/file_dax/file_dax_env.h"

namespace daxd::testing {
namespace {

using host::sim::mapping;
using host::sim::open_fd;
using host::sim::process;
using orchestrator::kSetFileDax;

TEST(SetFileDax, SetsAndClearsTheFlagAndStatxFollows) {
  FileDaxEnv env("set-clear");
  env.make_inode_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/db/table", "rows"));
  EXPECT_FALSE(env.file("db/table").effective_dax);

  Operation const on = env.run(kSetFileDax, env.request("/mnt/vol/db/table", true));
  ASSERT_EQ(on.state, OperationState::completed) << on.error;
  EXPECT_TRUE(env.file("db/table").dax_flag);
  EXPECT_TRUE(env.file("db/table").effective_dax);

  Operation const off = env.run(kSetFileDax, env.request("db/table", false));
  ASSERT_EQ(off.state, OperationState::completed) << off.error;
  EXPECT_FALSE(env.file("db/table").dax_flag);
  EXPECT_FALSE(env.file("db/table").effective_dax);
  EXPECT_EQ(*env.host->read_file(kNode, "/db/table"), "rows");  // invariant 4

  auto const again = orchestrator::set_file_dax_changes(*env.host, env.request("db/table", false));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again) << "the same request again changes nothing";
  auto const shown = orchestrator::file_dax_json(
      *env.host, *orchestrator::desired_volume(env.state->desired(), "vol"), "db/table");
  ASSERT_TRUE(shown);
  EXPECT_EQ(*shown, (nlohmann::json{{"volume", "vol"},
                                    {"path", "/mnt/vol/db/table"},
                                    {"dax_flag", false},
                                    {"effective_dax", false}}));
}

TEST(SetFileDax, IsRefusedWhileAProcessHoldsTheFileAndNamesIt) {
  FileDaxEnv env("refused");
  env.make_inode_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "x"));
  ASSERT_TRUE(env.host->write_file(kNode, "/other", "y"));
  ASSERT_TRUE(env.host->add_process(process(700, "pg", {open_fd("/mnt/vol/data")})));
  ASSERT_TRUE(env.host->add_process(process(701, "bystander", {open_fd("/mnt/vol/other")})));
  auto const refused = env.engine->submit(kSetFileDax, env.request("data", true));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::busy);
  EXPECT_NE(refused.error().message.find("pid 700 (pg)"), std::string::npos)
      << refused.error().message;
  ASSERT_EQ(refused.error().blockers.size(), 1u) << "only the file's holders block";
  EXPECT_FALSE(env.file("data").dax_flag);
  EXPECT_EQ(env.host->state().processes.size(), 2u);
}

TEST(SetFileDax, TerminateEndsTheHoldersAndTheModeChanges) {
  FileDaxEnv env("terminate");
  env.make_inode_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "x"));
  ASSERT_TRUE(env.host->filesystems().set_file_dax(kMnt, "data", true));
  ASSERT_TRUE(env.host->add_process(process(702, "wal", {mapping("/mnt/vol/data", true)})));
  ASSERT_TRUE(env.file("data").effective_dax);
  Operation const op = env.run(kSetFileDax, env.request("data", false, "terminate"));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_TRUE(env.host->state().processes.empty());
  EXPECT_FALSE(env.file("data").dax_flag);
  EXPECT_FALSE(env.file("data").effective_dax);
  ASSERT_EQ(op.steps.size(), 3u);
  EXPECT_EQ(op.steps[0].name, "quiesce");
}

TEST(SetFileDax, PathsOutsideTheVolumeAreRefused) {
  FileDaxEnv env("escape");
  env.make_inode_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "x"));
  for (auto const* bad :
       {"../etc/passwd", "/etc/passwd", "/mnt/vol/../vol/data", "/mnt/volx/a", "db/../../x", ""}) {
    auto const r = env.normalise(bad, true);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << bad << ": " << r.error().message;
  }
  auto const missing = env.normalise("/mnt/vol/missing", true);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  auto const wait = env.normalise("data", true, "wait");
  ASSERT_FALSE(wait);
  EXPECT_EQ(wait.error().code, Errc::invalid_argument);
  auto const ok = env.normalise("/mnt/vol/./data", true);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->at("path"), "data");
}

TEST(SetFileDax, OnANonInodeMountTheFlagIsStoredAndNoted) {
  FileDaxEnv env("never");
  env.make_volume(DaxMode::never);
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "x"));
  // A holder does not block: nothing has to take effect.
  ASSERT_TRUE(env.host->add_process(process(703, "reader", {open_fd("/mnt/vol/data")})));
  auto const plan = env.engine->dry_run(kSetFileDax, env.request("data", true));
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_NE(plan->dump().find("dax=never"), std::string::npos) << plan->dump();
  Operation const op = env.run(kSetFileDax, env.request("data", true));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_TRUE(env.file("data").dax_flag);
  EXPECT_FALSE(env.file("data").effective_dax);
  auto const shown = orchestrator::file_dax_json(
      *env.host, *orchestrator::desired_volume(env.state->desired(), "vol"), "data");
  ASSERT_TRUE(shown);
  EXPECT_NE(shown->value("note", "").find("dax=never"), std::string::npos) << shown->dump();
}

TEST(SetFileDax, ADirectoryGetsTheFlagForLaterEntries) {
  FileDaxEnv env("dir");
  env.make_inode_volume();
  ASSERT_TRUE(env.host->make_directory(kNode, "/logs"));
  ASSERT_TRUE(env.host->add_process(process(704, "shell", {host::sim::cwd("/mnt/vol/logs")})));
  Operation const op = env.run(kSetFileDax, env.request("logs", true));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  ASSERT_EQ(op.steps.size(), 1u) << "a directory needs no quiesce or eviction";
  ASSERT_TRUE(env.host->write_file(kNode, "/logs/today", "x"));
  EXPECT_TRUE(env.file("logs/today").effective_dax);
}

TEST(SetFileDax, DropCachesIsTheFallbackForAStaleInode) {
  FileDaxEnv env("fallback");
  env.make_inode_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "x"));
  ASSERT_TRUE(env.host->filesystems().set_file_dax(kMnt, "data", true));
  env.cache_inode("/data", /*s_dax=*/false, /*pinned=*/false);
  Operation const op = env.run(kSetFileDax, env.request("data", true));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_TRUE(env.file("data").effective_dax);
}

TEST(SetFileDax, AnInodeThatCannotBeEvictedRollsTheFlagBack) {
  FileDaxEnv env("pinned");
  env.make_inode_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "x"));
  env.cache_inode("/data", /*s_dax=*/false, /*pinned=*/true);
  Operation const op = env.run(kSetFileDax, env.request("data", true));
  ASSERT_EQ(op.state, OperationState::rolled_back) << op.error;
  EXPECT_NE(op.error.find("cannot evict"), std::string::npos) << op.error;
  EXPECT_FALSE(env.file("data").dax_flag) << "the undo restored the flag";
  EXPECT_FALSE(env.file("data").effective_dax);
}

TEST(SetFileDax, FaultsRollBack) {
  for (auto const* op_name : {"fs.set_file_dax", "fs.evict_inodes"}) {
    FileDaxEnv env(std::string("fault-") + (op_name[3] == 's' ? "set" : "evict"));
    env.make_inode_volume();
    ASSERT_TRUE(env.host->write_file(kNode, "/data", "x"));
    // An inode the last close does not evict sends the evict step to drop_caches.
    env.cache_inode("/data", /*s_dax=*/false, /*pinned=*/true);
    auto const req = env.request("data", true);
    ASSERT_TRUE(env.host->inject_fault(op_name, EIO));
    Operation const op = env.run(kSetFileDax, req);
    EXPECT_EQ(op.state, OperationState::rolled_back) << op_name << ": " << op.error;
    EXPECT_NE(op.error.find("injected fault"), std::string::npos) << op.error;
    ASSERT_TRUE(env.host->clear_faults());
    EXPECT_FALSE(env.file("data").dax_flag) << op_name;
    EXPECT_FALSE(env.file("data").effective_dax) << op_name;
  }
}

TEST(SetFileDax, VolumeMustBeMountedByDaxd) {
  FileDaxEnv env("unmounted");
  env.make_inode_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "x"));
  auto const req = env.request("data", true);
  ASSERT_TRUE(env.host->filesystems().unmount(kMnt));
  auto const refused = env.engine->submit(kSetFileDax, req);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::conflict) << refused.error().message;
}

}  // namespace
}  // namespace daxd::testing
