// SPDX-License-Identifier: Apache-2.0
// destroy-snapshot, restore-snapshot and mount-snapshot on the sim host through the engine:
// copies go without stopping anything, the last cow snapshot brings DAX back, restores put the
// snapshot's content back, read-only mounts come and go, refusals name what blocks.
#include <gtest/gtest.h>

#include "daemon/host/sim/sim_control.h"
#include "daemon/orchestrator/volume_consumers.h"
#include "tests/unit/snapshot_lifecycle/snapshot_env.h"

namespace daxd::testing {
namespace {

using orchestrator::kDestroySnapshot;
using orchestrator::kMountSnapshot;
using orchestrator::kRestoreSnapshot;

TEST(SnapshotDestroy, CopyGoesWithoutStoppingTheOrigin) {
  SnapshotEnv env("destroy-copy");
  env.make_world();
  env.make_copy("c1", kSnapMnt);
  ASSERT_EQ(env.read("/dev/mapper/daxd-vol@c1"), "at snapshot time");
  Operation const op = env.run(kDestroySnapshot, env.destroy_request("c1"));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_EQ(env.dm_names(), std::vector<std::string>{"daxd-vol"});
  EXPECT_TRUE(env.snapshots().empty());
  auto const s = env.host->state();
  EXPECT_EQ(env.mount_at(s, kSnapMnt), nullptr);
  for (auto const& step : op.steps) EXPECT_NE(step.name, "quiesce");
  env.expect_dax_back();
  expect_at_rest(*env.host);
}

TEST(SnapshotDestroy, CowNotLastKeepsTheStack) {
  SnapshotEnv env("destroy-cow-not-last");
  env.make_world();
  env.make_cow("s1", 0);
  env.make_cow("s2", 1);
  Operation const op = env.run(kDestroySnapshot, env.destroy_request("s1"));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_EQ(env.dm_names(), (std::vector<std::string>{"daxd-vol", "daxd-vol+real", "daxd-vol@s2",
                                                      "daxd-vol@s2+cow"}));
  auto const snaps = env.snapshots();
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0].name, "s2");
  EXPECT_FALSE(env.stored_volume().dax_capable);
  auto const host_state = env.host->state();
  auto const* m = env.mount_at(host_state, kMnt);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->dax, DaxMode::never);
  EXPECT_EQ(env.read("/dev/mapper/daxd-vol@s2"), "at snapshot time");
  expect_at_rest(*env.host);
}

TEST(SnapshotDestroy, LastCowBringsDaxBack) {
  SnapshotEnv env("destroy-cow-last");
  env.make_world();
  env.make_cow("s1", 0, kSnapMnt);
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "after the snapshot"));
  ASSERT_FALSE(env.stored_volume().dax_capable);
  Operation const op = env.run(kDestroySnapshot, env.destroy_request("s1"));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_EQ(env.dm_names(), std::vector<std::string>{"daxd-vol"});
  EXPECT_TRUE(env.snapshots().empty());
  env.expect_dax_back();
  EXPECT_FALSE(env.is_mounted(kSnapMnt));
  EXPECT_EQ(env.read(kNode), "after the snapshot");
  EXPECT_GE(op.stopped_ms, 0);
  expect_at_rest(*env.host);
  // set-dax is allowed again.
  EXPECT_EQ(env.run(orchestrator::kSetDax, env.set_dax("never")).state, OperationState::completed);
}

TEST(SnapshotDestroy, AStoreUsedAgainStartsEmpty) {
  SnapshotEnv env("destroy-store-again");
  env.make_world();
  env.make_cow("s1", 0);
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "between"));
  ASSERT_EQ(env.run(kDestroySnapshot, env.destroy_request("s1")).state, OperationState::completed);
  // The kernel would take the old store's exceptions back: the new snapshot must show "between".
  env.make_cow("s2", 0);
  EXPECT_EQ(env.read("/dev/mapper/daxd-vol@s2"), "between");
  expect_at_rest(*env.host);
}

std::vector<std::string> step_names(nlohmann::json const& plan) {
  std::vector<std::string> out;
  for (auto const& step : plan.at("steps")) out.push_back(step.at("name"));
  return out;
}

TEST(SnapshotDestroy, DryRunShowsWhetherTheWorldStops) {
  SnapshotEnv env("destroy-dry-run");
  env.make_world();
  env.make_cow("s1", 0);
  env.make_cow("s2", 1);
  auto plan = env.engine->dry_run(kDestroySnapshot, env.destroy_request("s1"));
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(step_names(*plan), (std::vector<std::string>{"unmount-snapshot", "remove-snapshot",
                                                         "remove-cow", "forget-snapshot"}));
  ASSERT_EQ(env.run(kDestroySnapshot, env.destroy_request("s1")).state, OperationState::completed);
  plan = env.engine->dry_run(kDestroySnapshot, env.destroy_request("s2"));
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ(step_names(*plan),
            (std::vector<std::string>{"quiesce", "unmount", "unmount-snapshot", "remove-snapshot",
                                      "remove-cow", "remove-origin", "remove-real", "create-dax-dm",
                                      "mount", "record-volume", "forget-snapshot"}));
  EXPECT_EQ(env.dm_names().size(), 4u) << "a dry run changes nothing";
}

TEST(SnapshotRestore, CowMergesTheSnapshotBack) {
  SnapshotEnv env("restore-cow");
  env.make_world();
  env.make_cow("s1", 0, kSnapMnt);
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "after the snapshot"));
  Operation const op = env.run(kRestoreSnapshot, env.restore_request("s1"));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_EQ(env.read(kNode), "at snapshot time");
  EXPECT_EQ(env.dm_names(), std::vector<std::string>{"daxd-vol"});
  EXPECT_TRUE(env.snapshots().empty());
  env.expect_dax_back();
  EXPECT_FALSE(env.is_mounted(kSnapMnt));
  expect_at_rest(*env.host);
}

TEST(SnapshotRestore, AMergePastItsCommitPointIsFinishedByRestoringAgain) {
  SnapshotEnv env("restore-cow-again");
  env.make_world();
  env.make_cow("s1", 0);
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "after the snapshot"));
  ASSERT_TRUE(env.host->inject_fault("dm.status", EIO));
  Operation const failed = env.run(kRestoreSnapshot, env.restore_request("s1"));
  ASSERT_EQ(failed.state, OperationState::failed) << "the merge had started: no way back";
  EXPECT_TRUE(failed.past_commit);
  EXPECT_EQ(env.dm("daxd-vol@s1")->table.front().type, "snapshot-merge");
  EXPECT_EQ(env.snapshots().at(0).state, "merging");
  // Reconcile must not bring a snapshot-origin back over the merging origin.
  auto const report = env.reconcile();
  EXPECT_EQ(report.failed, 1);
  EXPECT_FALSE(env.dm("daxd-vol").has_value());
  Operation const op = env.run(kRestoreSnapshot, env.restore_request("s1"));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_EQ(env.read(kNode), "at snapshot time");
  env.expect_dax_back();
  expect_at_rest(*env.host);
}

TEST(SnapshotRestore, CopySwapsTheExtents) {
  SnapshotEnv env("restore-copy");
  env.make_world();
  env.make_copy("c1");
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "after the snapshot"));
  auto const store = env.snapshots().at(0).extents;
  Operation const op = env.run(kRestoreSnapshot, env.restore_request("c1"));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_EQ(env.read(kNode), "at snapshot time");
  EXPECT_EQ(env.dm_names(), std::vector<std::string>{"daxd-vol"});
  EXPECT_TRUE(env.snapshots().empty());
  Volume const v = env.stored_volume();
  EXPECT_EQ(v.extents, store);
  EXPECT_EQ(v.layout, VolumeLayout::linear);
  env.expect_dax_back();
  // The old extents are free again: no volume claims namespace "a" any more.
  auto const members = orchestrator::volume_memberships(env.state->desired(), "a");
  ASSERT_TRUE(members);
  EXPECT_TRUE(members->empty());
  expect_at_rest(*env.host);
}

TEST(SnapshotMount, MountsAndUnmountsReadOnly) {
  SnapshotEnv env("mount");
  env.make_world();
  env.make_cow("s1", 0);
  Operation op = env.run(kMountSnapshot, env.mount_request("s1", kSnapMnt));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  auto const host_state = env.host->state();
  auto const* m = env.mount_at(host_state, kSnapMnt);
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->read_only);
  EXPECT_EQ(env.snapshots().at(0).mountpoint, kSnapMnt);
  op = env.run(kMountSnapshot, env.mount_request("s1", ""));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_FALSE(env.is_mounted(kSnapMnt));
  EXPECT_EQ(env.snapshots().at(0).mountpoint, "");
  expect_at_rest(*env.host);
}

TEST(SnapshotMount, UnmountRefusedWhileAProcessUsesIt) {
  SnapshotEnv env("mount-busy");
  env.make_world();
  env.make_copy("c1", kSnapMnt);
  ASSERT_TRUE(env.host->add_process(
      host::sim::process(4242, "backup", {host::sim::cwd(std::string(kSnapMnt) + "/")})));
  auto sub = env.engine->submit(kMountSnapshot, env.mount_request("c1", ""));
  ASSERT_FALSE(sub);
  EXPECT_EQ(sub.error().code, Errc::busy);
  EXPECT_NE(sub.error().message.find("4242"), std::string::npos) << sub.error().message;
  auto destroy = env.engine->submit(kDestroySnapshot, env.destroy_request("c1"));
  ASSERT_FALSE(destroy);
  EXPECT_NE(destroy.error().message.find("backup"), std::string::npos) << destroy.error().message;
  EXPECT_TRUE(env.is_mounted(kSnapMnt));
}

TEST(SnapshotRefusals, RestoreOfCowWithSiblingsNamesThem) {
  SnapshotEnv env("refuse-siblings");
  env.make_world();
  env.make_cow("s1", 0);
  env.make_cow("s2", 1);
  auto r = orchestrator::normalise_restore_snapshot(env.state->desired(), "vol", "s1",
                                                    nlohmann::json::object());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::conflict);
  EXPECT_NE(r.error().message.find("'s2'"), std::string::npos) << r.error().message;
}

TEST(SnapshotRefusals, ProcessOnTheOriginWithPolicyRefuse) {
  SnapshotEnv env("refuse-process");
  env.make_world();
  env.make_cow("s1", 0);
  ASSERT_TRUE(env.host->add_process(
      host::sim::process(777, "postgres", {host::sim::open_fd(std::string(kMnt) + "/data")})));
  for (auto const& [type, request] :
       {std::pair{std::string(kDestroySnapshot), env.destroy_request("s1")},
        std::pair{std::string(kRestoreSnapshot), env.restore_request("s1")}}) {
    auto sub = env.engine->submit(type, request);
    ASSERT_FALSE(sub) << type;
    EXPECT_EQ(sub.error().code, Errc::busy);
    EXPECT_NE(sub.error().message.find("postgres"), std::string::npos) << sub.error().message;
  }
  EXPECT_EQ(env.snapshots().size(), 1u);
  EXPECT_EQ(env.dm("daxd-vol")->table.front().type, "snapshot-origin");
  // terminate makes it go, and the destroy completes.
  Operation const op = env.run(kDestroySnapshot, env.destroy_request("s1", "terminate"));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  env.expect_dax_back();
}

TEST(SnapshotRefusals, RestoreOfCopyWhileCowSnapshotsExist) {
  SnapshotEnv env("refuse-copy-cow");
  env.make_world();
  env.make_copy("c1");
  // The copy takes the whole of "b": the cow store goes onto a third namespace.
  env.make_namespace("c", "region1", "64M");
  nlohmann::json const store = {
      {{"namespace", "c"}, {"offset", std::uint64_t{0}}, {"length", 32 * kMiB}}};
  ASSERT_EQ(env.run(orchestrator::kCreateSnapshot, env.create_request("s1", "cow", store)).state,
            OperationState::completed);
  auto sub = env.engine->submit(kRestoreSnapshot, env.restore_request("c1"));
  ASSERT_FALSE(sub);
  EXPECT_EQ(sub.error().code, Errc::conflict);
  EXPECT_NE(sub.error().message.find("'s1'"), std::string::npos) << sub.error().message;
}

}  // namespace
}  // namespace daxd::testing
