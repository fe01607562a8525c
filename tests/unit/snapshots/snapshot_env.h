// SPDX-License-Identifier: Apache-2.0
// The engine test environment with volume and snapshot operations, and snapshot helpers.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/orchestrator/snapshot_ops.h"
#include "daemon/orchestrator/snapshot_spec.h"
#include "tests/unit/volumes/volume_env.h"

namespace daxd::testing {

inline constexpr char kSnapNode[] = "/dev/mapper/daxd-vol@n";
inline constexpr char kSnapMnt[] = "/mnt/vol-n";

struct SnapshotEnv : VolumeEnv {
  explicit SnapshotEnv(std::string const& name) : VolumeEnv("snap-" + name) { add_snapshot_types(); }

  void add_snapshot_types() {
    orchestrator::register_snapshot_operations(*engine, state->desired(), state->journal());
  }
  void open_everything() {
    open_all();
    add_snapshot_types();
  }
  void reopen_everything() {
    reopen_all();
    add_snapshot_types();
  }

  /// The create request, normalised (failures returned as they are).
  Result<nlohmann::json> normalise(nlohmann::json body) {
    return orchestrator::normalise_create_snapshot(*host, state->desired(), "vol", body);
  }
  nlohmann::json create_request(std::string const& name, std::string const& method,
                                std::string const& store, nlohmann::json extra = {}) {
    nlohmann::json body{{"name", name}, {"method", method}, {"namespaces", {store}}};
    if (extra.is_object()) body.update(extra);
    auto r = normalise(body);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : nlohmann::json{};
  }
  Operation create(std::string const& name, std::string const& method, std::string const& store,
                   nlohmann::json extra = {}) {
    return run(orchestrator::kCreateSnapshot, create_request(name, method, store, extra));
  }

  std::vector<Snapshot> snapshots() {
    auto s = orchestrator::list_snapshots(*host, state->desired(), "vol");
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? *s : std::vector<Snapshot>{};
  }

  host::sim::SimDmDevice const* dm(host::sim::SimState const& s, std::string const& name) {
    for (auto const& d : s.dm_devices) {
      if (d.name == name) return &d;
    }
    return nullptr;
  }
  std::string read(std::string const& node, std::string const& path = "/data") {
    auto r = host->read_file(node, path);
    return r ? *r : "<" + r.error().message + ">";
  }
};

}  // namespace daxd::testing
