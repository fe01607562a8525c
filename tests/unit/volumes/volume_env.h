// SPDX-License-Identifier: Apache-2.0
// The engine test environment with the volume operations registered, and volume helpers.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/host/sim/sim_control.h"
#include "daemon/orchestrator/volume_ops.h"
#include "daemon/orchestrator/volume_spec.h"
#include "daemon/orchestrator/volume_view.h"
#include "tests/unit/orchestrator/engine_env.h"

namespace daxd::testing {

inline constexpr char kNode[] = "/dev/mapper/daxd-vol";
inline constexpr char kMnt[] = "/mnt/vol";

struct VolumeEnv : EngineEnv {
  explicit VolumeEnv(std::string const& name) : EngineEnv("vol-" + name) { add_volume_types(); }

  void add_volume_types() {
    orchestrator::register_volume_operations(*engine, state->desired(), state->journal());
  }
  /// open_engine()/reopen() with the volume operations registered, as main would do.
  void open_all() {
    open_engine();
    add_volume_types();
  }
  void reopen_all() {
    reopen();
    add_volume_types();
  }

  void make_namespace(std::string const& name, std::string const& region = "region0",
                      std::string const& size = "256M") {
    Operation const op =
        run(orchestrator::kCreateNamespace, create_request(name, size, "fsdax", region));
    ASSERT_EQ(op.state, OperationState::completed) << op.error;
  }

  nlohmann::json create_volume(nlohmann::json body) {
    auto r = orchestrator::normalise_create_volume(*host, body);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : nlohmann::json{};
  }
  nlohmann::json set_dax(std::string const& dax, std::string const& policy = "refuse",
                         std::uint64_t deadline_ms = 200) {
    auto r = orchestrator::normalise_set_dax(
        state->desired(), "vol", {{"dax", dax}, {"policy", policy}, {"deadline_ms", deadline_ms}});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : nlohmann::json{};
  }
  nlohmann::json destroy(std::string const& policy = "refuse") {
    auto r = orchestrator::normalise_destroy_volume(state->desired(), "vol",
                                                    {{"policy", policy}, {"deadline_ms", 200}});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : nlohmann::json{};
  }

  /// "vol": linear over namespace "a", ext4 mounted at /mnt/vol with dax=always.
  void make_mounted_volume() {
    make_namespace("a");
    Operation const op =
        run(orchestrator::kCreateVolume,
            create_volume(
                {{"name", "vol"}, {"namespaces", {"a"}}, {"mountpoint", kMnt}, {"dax", "always"}}));
    ASSERT_EQ(op.state, OperationState::completed) << op.error;
  }

  std::vector<Volume> volumes() {
    auto v = orchestrator::current_volumes(*host, state->desired());
    EXPECT_TRUE(v) << (v ? "" : v.error().message);
    return v ? *v : std::vector<Volume>{};
  }

  host::sim::SimMount const* mount_at(host::sim::SimState const& s, std::string const& target) {
    for (auto const& m : s.mounts) {
      if (m.target == target) return &m;
    }
    return nullptr;
  }
  // The pointer points into s: a temporary state (host->state() returns a copy) would dangle.
  host::sim::SimMount const* mount_at(host::sim::SimState&& s, std::string const& target) = delete;

  bool is_mounted(std::string const& target) {
    auto const s = host->state();
    return mount_at(s, target) != nullptr;
  }
};

/// Invariant 3 (nothing frozen or suspended at rest) and invariant 1 (the sim saw no suspend,
/// reload or resume under a DAX mapping).
inline void expect_at_rest(host::sim::SimHost const& host) {
  auto const s = host.state();
  for (auto const& m : s.mounts) EXPECT_FALSE(m.frozen) << m.target << " left frozen";
  for (auto const& d : s.dm_devices) {
    EXPECT_FALSE(d.suspended) << d.name << " left suspended";
    EXPECT_FALSE(d.inactive.has_value()) << d.name << " has a table loaded but not live";
  }
  for (auto const& h : s.hazards) {
    ADD_FAILURE() << "hazard: " << h.op << " " << h.device << ": " << h.note;
  }
}

}  // namespace daxd::testing
