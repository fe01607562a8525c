// SPDX-License-Identifier: Apache-2.0
// The sim's per-file DAX against dax.rst: flag vs S_DAX, eviction on the last close, drop_caches,
// inheritance by new entries, mount options overriding the flag, RESOLVE_BENEATH.
#include <gtest/gtest.h>

#include "daemon/host/sim/sim_control.h"
#include "tests/unit/file_dax/file_dax_env.h"

namespace daxd::testing {
namespace {

using host::sim::open_fd;
using host::sim::process;

TEST(SimFileDax, FlagTakesEffectWhenTheLastUserCloses) {
  FileDaxEnv env("sim-last-close");
  env.make_inode_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "x"));
  ASSERT_TRUE(env.host->add_process(process(70, "reader", {open_fd("/mnt/vol/data")})));
  auto& fs = env.host->filesystems();
  ASSERT_TRUE(fs.set_file_dax(kMnt, "data", true));
  auto const held = fs.file_dax_state(kMnt, "data");
  ASSERT_TRUE(held) << held.error().message;
  EXPECT_TRUE(held->dax_flag);
  EXPECT_FALSE(held->effective_dax) << "the open inode keeps its mode";
  ASSERT_TRUE(env.host->remove_process(70));
  auto const after = fs.file_dax_state(kMnt, "data");
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->effective_dax) << "the don't-cache inode went with its last user";
  EXPECT_EQ(after->path, "/mnt/vol/data");
  EXPECT_FALSE(after->directory);
}

TEST(SimFileDax, DropCachesEvictsAStaleUnusedInodeButNotAPinnedOne) {
  FileDaxEnv env("sim-drop");
  env.make_inode_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "x"));
  auto& fs = env.host->filesystems();
  ASSERT_TRUE(fs.set_file_dax(kMnt, "data", true));
  env.cache_inode("/data", /*s_dax=*/false, /*pinned=*/true);
  ASSERT_TRUE(fs.evict_inodes(kMnt));
  EXPECT_FALSE(fs.file_dax_state(kMnt, "data")->effective_dax) << "a pinned inode stays";
  env.cache_inode("/data", /*s_dax=*/false, /*pinned=*/false);
  EXPECT_FALSE(fs.file_dax_state(kMnt, "data")->effective_dax) << "cached without don't-cache";
  ASSERT_TRUE(fs.evict_inodes(kMnt));
  EXPECT_TRUE(fs.file_dax_state(kMnt, "data")->effective_dax);
}

TEST(SimFileDax, DirectoriesPassTheFlagOnlyToEntriesCreatedLater) {
  FileDaxEnv env("sim-inherit");
  env.make_inode_volume();
  ASSERT_TRUE(env.host->make_directory(kNode, "/d"));
  ASSERT_TRUE(env.host->write_file(kNode, "/d/old", "before"));
  auto& fs = env.host->filesystems();
  ASSERT_TRUE(fs.set_file_dax(kMnt, "d", true));
  ASSERT_TRUE(env.host->write_file(kNode, "/d/new", "after"));
  ASSERT_TRUE(env.host->write_file(kNode, "/d/sub/deep", "after"));
  auto const dir = fs.file_dax_state(kMnt, "d");
  ASSERT_TRUE(dir);
  EXPECT_TRUE(dir->directory);
  EXPECT_TRUE(dir->dax_flag);
  EXPECT_FALSE(dir->effective_dax) << "statx never shows DAX on a directory";
  EXPECT_FALSE(fs.file_dax_state(kMnt, "d/old")->dax_flag) << "existing entries keep theirs";
  EXPECT_TRUE(fs.file_dax_state(kMnt, "d/new")->dax_flag);
  EXPECT_TRUE(fs.file_dax_state(kMnt, "d/new")->effective_dax);
  EXPECT_TRUE(fs.file_dax_state(kMnt, "d/sub")->dax_flag) << "new subdirectories inherit too";
  EXPECT_TRUE(fs.file_dax_state(kMnt, "d/sub/deep")->dax_flag);
}

TEST(SimFileDax, MountOptionsOverrideTheFlag) {
  for (auto const mode : {DaxMode::always, DaxMode::never}) {
    FileDaxEnv env(std::string("sim-opt-") + std::string(to_string(mode)));
    env.make_volume(mode);
    ASSERT_TRUE(env.host->write_file(kNode, "/data", "x"));
    auto& fs = env.host->filesystems();
    ASSERT_TRUE(fs.set_file_dax(kMnt, "data", mode == DaxMode::never));
    ASSERT_TRUE(fs.evict_inodes(kMnt));
    auto const st = fs.file_dax_state(kMnt, "data");
    ASSERT_TRUE(st);
    EXPECT_EQ(st->dax_flag, mode == DaxMode::never) << "the flag is stored";
    EXPECT_EQ(st->effective_dax, mode == DaxMode::always) << "the mount option decides";
  }
}

TEST(SimFileDax, PathsResolveBeneathTheMount) {
  FileDaxEnv env("sim-beneath");
  env.make_inode_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/a/b", "x"));
  auto& fs = env.host->filesystems();
  EXPECT_TRUE(fs.file_dax_state(kMnt, "a/../a/./b")) << "'..' that stays inside is fine";
  for (auto const* bad : {"..", "../vol/a/b", "a/../../etc", "a/b/..", "a/b/c"}) {
    auto const r = fs.file_dax_state(kMnt, bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << r.error().message;
  }
  auto const missing = fs.file_dax_state(kMnt, "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_EQ(fs.file_dax_state("/mnt/none", "a").error().code, Errc::not_found);
}

TEST(SimFileDax, HoldersAreFoundByInode) {
  FileDaxEnv env("sim-holders");
  env.make_inode_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "x"));
  ASSERT_TRUE(env.host->write_file(kNode, "/other", "y"));
  ASSERT_TRUE(env.host->add_process(process(71, "a", {open_fd("/mnt/vol/data")})));
  ASSERT_TRUE(env.host->add_process(process(72, "b", {open_fd("/mnt/vol/other")})));
  auto const st = env.host->filesystems().file_dax_state(kMnt, "data");
  ASSERT_TRUE(st);
  host::ConsumerQuery q;
  q.files.push_back(host::FileId{st->dev, st->inode});
  auto const found = env.host->processes().find_consumers(q);
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().pid, 71);
}

TEST(SimFileDax, StateSurvivesAReload) {
  FileDaxEnv env("sim-reload");
  env.make_inode_volume();
  ASSERT_TRUE(env.host->make_directory(kNode, "/d"));
  ASSERT_TRUE(env.host->filesystems().set_file_dax(kMnt, "d", true));
  ASSERT_TRUE(env.host->write_file(kNode, "/d/f", "x"));
  env.cache_inode("/d/f", /*s_dax=*/false, /*pinned=*/true);
  ASSERT_TRUE(env.host->reload());
  auto const st = env.host->filesystems().file_dax_state(kMnt, "d/f");
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->dax_flag);
  EXPECT_FALSE(st->effective_dax) << "the pinned stale inode came back from the file";
}

}  // namespace
}  // namespace daxd::testing
