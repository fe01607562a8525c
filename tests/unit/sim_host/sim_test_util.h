// SPDX-License-Identifier: Apache-2.0
// A fresh SimHost on a temporary state file for each test.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/host/sim/sim_control.h"
#include "daemon/host/sim/sim_host.h"

namespace daxd::host::sim::testing {

inline std::string temp_state_path() {
  static std::atomic<int> counter{0};
  auto const dir = std::filesystem::path(::testing::TempDir()) /
                   ("daxd-sim-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  return (dir / "host.json").string();
}

inline SimState one_region(std::uint64_t size, bool labels = true) {
  SimState s;
  s.regions = {region(0, size, labels)};
  return s;
}

class SimTest : public ::testing::Test {
 protected:
  void SetUp() override { open_with(two_regions_state()); }
  void TearDown() override {
    host_.reset();
    std::error_code ignored;
    for (auto const& dir : dirs_) std::filesystem::remove_all(dir, ignored);
  }

  void open_with(SimState const& state) {
    path_ = temp_state_path();
    dirs_.push_back(std::filesystem::path(path_).parent_path());
    auto h = SimHost::create(path_, state);
    ASSERT_TRUE(h) << h.error().message;
    host_ = std::move(h).value();
  }

  Namespace create(std::string const& region, std::uint64_t size, NamespaceMode mode,
                   std::string const& name = "") {
    auto ns =
        host_->nvdimm().create_namespace(NamespaceSpec{region, name, size, mode, std::nullopt});
    EXPECT_TRUE(ns) << ns.error().message;
    return ns ? *ns : Namespace{};
  }

  /// fsdax namespace of 512 MiB with ext4 mounted dax=always at `target`.
  Namespace mounted_fsdax(std::string const& target) {
    auto const ns = create("region0", 512 * kMiB, NamespaceMode::fsdax, "db");
    EXPECT_TRUE(host_->filesystems().make_filesystem("/dev/" + ns.blockdev, FsType::ext4));
    EXPECT_TRUE(
        host_->filesystems().mount("/dev/" + ns.blockdev, target, FsType::ext4, DaxMode::always));
    return ns;
  }

  std::string path_;
  std::unique_ptr<SimHost> host_;
  std::vector<std::filesystem::path> dirs_;
};

}  // namespace daxd::host::sim::testing
