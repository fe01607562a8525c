// SPDX-License-Identifier: Apache-2.0
// The engine on the sim host with the volume, reconcile and snapshot operations registered; a
// mounted volume "vol" on namespace "a" and snapshot stores on namespace "b".
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/orchestrator/snapshot_ops.h"
#include "daemon/orchestrator/snapshot_spec.h"
#include "tests/unit/reconcile/reconcile_env.h"

namespace daxd::testing {

inline constexpr char kSnapMnt[] = "/mnt/snap";
inline constexpr std::uint64_t kMiB = 1ULL << 20;

struct SnapshotEnv : ReconcileEnv {
  explicit SnapshotEnv(std::string const& name) : ReconcileEnv("snap-" + name) { add_snapshots(); }

  void add_snapshots() {
    orchestrator::register_snapshot_operations(*engine, state->desired(), state->journal());
  }
  /// What main does after a restart: every operation type registered again.
  void open_snapshots() {
    open_reconcile();
    add_snapshots();
  }
  void reopen_snapshots() {
    reopen_reconcile();
    add_snapshots();
  }

  /// "vol" (ext4, dax=always at /mnt/vol, on "a"), namespace "b" for the stores, "/data" written.
  void make_world() {
    make_mounted_volume();
    make_namespace("b", "region1");
    ASSERT_TRUE(host->write_file(kNode, "/data", "at snapshot time"));
  }

  nlohmann::json create_request(std::string const& name, std::string const& method,
                                nlohmann::json store, std::string const& mountpoint = "") {
    nlohmann::json body{{"name", name},
                        {"method", method},
                        {"extents", std::move(store)},
                        {"policy", "refuse"},
                        {"deadline_ms", 1000}};
    if (!mountpoint.empty()) body["mountpoint"] = mountpoint;
    auto r = orchestrator::normalise_create_snapshot(*host, state->desired(), "vol", body);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : nlohmann::json{};
  }

  /// A copy snapshot on the whole of "b".
  void make_copy(std::string const& name, std::string const& mountpoint = "") {
    Operation const op = run(orchestrator::kCreateSnapshot,
                             create_request(name, "copy", {{{"namespace", "b"}}}, mountpoint));
    ASSERT_EQ(op.state, OperationState::completed) << op.error;
  }
  /// A cow snapshot with a 32 MiB store at `index` * 32 MiB of "b".
  void make_cow(std::string const& name, int index, std::string const& mountpoint = "") {
    nlohmann::json const store = {{{"namespace", "b"},
                                   {"offset", static_cast<std::uint64_t>(index) * 32 * kMiB},
                                   {"length", 32 * kMiB}}};
    Operation const op =
        run(orchestrator::kCreateSnapshot, create_request(name, "cow", store, mountpoint));
    ASSERT_EQ(op.state, OperationState::completed) << op.error;
  }

  nlohmann::json destroy_request(std::string const& name, std::string const& policy = "refuse") {
    auto r = orchestrator::normalise_destroy_snapshot(state->desired(), "vol", name,
                                                      {{"policy", policy}, {"deadline_ms", 500}});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : nlohmann::json{};
  }
  nlohmann::json restore_request(std::string const& name, std::string const& policy = "refuse") {
    auto r = orchestrator::normalise_restore_snapshot(state->desired(), "vol", name,
                                                      {{"policy", policy}, {"deadline_ms", 500}});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : nlohmann::json{};
  }
  nlohmann::json mount_request(std::string const& name, std::string const& mountpoint) {
    auto r = orchestrator::normalise_mount_snapshot(state->desired(), "vol", name,
                                                    {{"mountpoint", mountpoint}});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : nlohmann::json{};
  }

  std::vector<Snapshot> snapshots() {
    auto s = orchestrator::list_snapshots(*host, state->desired(), "vol");
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? *s : std::vector<Snapshot>{};
  }
  Volume stored_volume() {
    auto v = orchestrator::desired_volume(state->desired(), "vol");
    EXPECT_TRUE(v) << (v ? "" : v.error().message);
    return v ? *v : Volume{};
  }
  std::vector<std::string> dm_names() {
    std::vector<std::string> out;
    for (auto const& d : host->state().dm_devices) out.push_back(d.name);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::optional<DmDevice> dm(std::string const& name) {
    auto all = host->device_mapper().list_devices();
    EXPECT_TRUE(all);
    if (!all) return std::nullopt;
    for (auto const& d : *all) {
      if (d.name == name) return d;
    }
    return std::nullopt;
  }
  std::string read(std::string const& device, std::string const& path = "/data") {
    auto r = host->read_file(device, path);
    return r ? *r : "<" + r.error().message + ">";
  }

  /// The volume is back on its DAX-capable table, mounted with dax=always, and says so.
  void expect_dax_back() {
    auto const d = dm("daxd-vol");
    ASSERT_TRUE(d.has_value());
    ASSERT_FALSE(d->table.empty());
    EXPECT_EQ(d->table.front().type, "linear");
    EXPECT_TRUE(d->dax);
    auto const s = host->state();
    for (auto const& x : s.dm_devices) {
      if (x.name == "daxd-vol") {
        EXPECT_EQ(x.type, host::sim::DmType::dax_bio_based);
      }
    }
    auto const* m = mount_at(s, kMnt);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->dax, DaxMode::always);
    EXPECT_TRUE(m->dax_active);
    EXPECT_TRUE(stored_volume().dax_capable);
  }
};

}  // namespace daxd::testing
