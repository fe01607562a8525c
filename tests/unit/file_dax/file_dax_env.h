// SPDX-License-Identifier: Apache-2.0
// The volume engine environment with set-file-dax registered, and per-file DAX helpers.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "daemon/host/sim/sim_host.h"
#include "daemon/orchestrator/file_dax.h"
#include "tests/unit/volumes/volume_env.h"

namespace daxd::testing {

struct FileDaxEnv : VolumeEnv {
  explicit FileDaxEnv(std::string const& name) : VolumeEnv("fdax-" + name) {
    orchestrator::register_file_dax_operations(*engine, state->desired());
  }

  /// "vol": linear over namespace "a", ext4 mounted at /mnt/vol with `dax`.
  void make_volume(DaxMode dax) {
    make_namespace("a");
    Operation const op =
        run(orchestrator::kCreateVolume, create_volume({{"name", "vol"},
                                                        {"namespaces", {"a"}},
                                                        {"mountpoint", kMnt},
                                                        {"dax", std::string(to_string(dax))}}));
    ASSERT_EQ(op.state, OperationState::completed) << op.error;
  }
  void make_inode_volume() { make_volume(DaxMode::inode); }

  /// The normalised set-file-dax request; fails the test when it is refused.
  nlohmann::json request(std::string const& path, bool dax, std::string const& policy = "refuse") {
    auto r = normalise(path, dax, policy);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : nlohmann::json{};
  }
  Result<nlohmann::json> normalise(std::string const& path, bool dax,
                                   std::string const& policy = "refuse") {
    return orchestrator::normalise_set_file_dax(
        *host, state->desired(), "vol",
        {{"path", path}, {"dax", dax}, {"policy", policy}, {"deadline_ms", 200}});
  }

  host::FileDaxState file(std::string const& rel) {
    auto st = host->filesystems().file_dax_state(kMnt, rel);
    EXPECT_TRUE(st) << (st ? "" : st.error().message);
    return st ? *st : host::FileDaxState{};
  }

  /// Puts an inode in memory as a kernel might hold it (edits the sim's state file).
  void cache_inode(std::string const& fs_path, bool s_dax, bool pinned) {
    auto s = host->state();
    for (auto& m : s.mounts) {
      if (m.target == kMnt)
        m.inode_cache[fs_path] = host::sim::SimCachedInode{s_dax, false, pinned};
    }
    ASSERT_TRUE(host::sim::write_state_file(host->path(), s));
    ASSERT_TRUE(host->reload());
  }
};

}  // namespace daxd::testing
