// SPDX-License-Identifier: Apache-2.0
// The API over the real engine with the volume and snapshot operations registered: a volume
// "vol" over namespace "a", mounted at /mnt/vol with dax=always, and store namespaces.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "daemon/orchestrator/snapshot_ops.h"
#include "tests/unit/api_volumes/volume_api_env.h"

namespace daxd::api::testing {

struct SnapshotApiEnv : VolumeApiEnv {
  explicit SnapshotApiEnv(std::string const& name) : VolumeApiEnv("snap-" + name) {
    orchestrator::register_snapshot_operations(*engine, state->desired(), state->journal());
  }

  /// Namespace "a" (256 MiB, region0) with volume "vol" on it (ext4, /mnt/vol, dax=always), and
  /// the store namespaces "s" (512 MiB, region1: a whole copy fits) and "c" (64 MiB, region0).
  void make_volume() {
    make_namespace("a");
    make_namespace("s", "region1", "512M");
    make_namespace("c", "region0", "64M");
    auto const res = call("POST", "/v1/volumes?wait=10",
                          R"({"name":"vol","namespaces":["a"],"filesystem":"ext4",)"
                          R"("mountpoint":"/mnt/vol","dax":"always"})");
    EXPECT_EQ(res.status, 201U) << res.body;
  }
};

}  // namespace daxd::api::testing
