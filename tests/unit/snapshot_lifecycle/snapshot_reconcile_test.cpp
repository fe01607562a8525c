// SPDX-License-Identifier: Apache-2.0
// After a reboot the snapshot stacks come back from the desired state: a volume with a cow
// snapshot as snapshot-origin (dax=never, never as a DAX linear device), copies as DAX devices
// of their own, read-only mounts too; the snapshots show what they showed.
#include <gtest/gtest.h>

#include "daemon/orchestrator/snapshot_reconcile.h"
#include "tests/unit/snapshot_lifecycle/snapshot_env.h"

namespace daxd::testing {
namespace {

TEST(SnapshotReconcile, CowStackComesBackAfterReboot) {
  SnapshotEnv env("reconcile-cow");
  env.make_world();
  env.make_cow("s1", 0, kSnapMnt);
  env.make_cow("s2", 1);
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "after the snapshots"));
  env.reboot();
  auto const report = env.reconcile();
  EXPECT_EQ(report.restored, 1);
  EXPECT_EQ(report.failed, 0);
  EXPECT_EQ(env.dm_names(),
            (std::vector<std::string>{"daxd-vol", "daxd-vol+real", "daxd-vol@s1", "daxd-vol@s1+cow",
                                      "daxd-vol@s2", "daxd-vol@s2+cow"}));
  auto const origin = env.dm("daxd-vol");
  ASSERT_TRUE(origin.has_value());
  EXPECT_EQ(origin->table.front().type, "snapshot-origin");
  EXPECT_FALSE(origin->dax);
  auto const s = env.host->state();
  auto const* m = env.mount_at(s, kMnt);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->dax, DaxMode::never);
  auto const* ro = env.mount_at(s, kSnapMnt);
  ASSERT_NE(ro, nullptr);
  EXPECT_TRUE(ro->read_only);
  EXPECT_EQ(env.read(kNode), "after the snapshots");
  EXPECT_EQ(env.read("/dev/mapper/daxd-vol@s1"), "at snapshot time");
  EXPECT_EQ(env.read("/dev/mapper/daxd-vol@s2"), "at snapshot time");
  auto const rec = env.events_of("volume-reconciled");
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0].data["state"], "completed");
  expect_at_rest(*env.host);

  // A second run finds everything in place; the stack still works: the last destroy brings
  // DAX back.
  auto const again = env.reconcile();
  EXPECT_EQ(again.unchanged, 1);
  EXPECT_EQ(again.restored, 0);
  ASSERT_EQ(env.run(orchestrator::kDestroySnapshot, env.destroy_request("s2")).state,
            OperationState::completed);
  ASSERT_EQ(env.run(orchestrator::kDestroySnapshot, env.destroy_request("s1")).state,
            OperationState::completed);
  env.expect_dax_back();
  EXPECT_EQ(env.read(kNode), "after the snapshots");
}

TEST(SnapshotReconcile, CopyComesBackAsADaxDevice) {
  SnapshotEnv env("reconcile-copy");
  env.make_world();
  env.make_copy("c1", kSnapMnt);
  env.reboot();
  auto const report = env.reconcile();
  EXPECT_EQ(report.restored, 1);
  EXPECT_EQ(env.dm_names(), (std::vector<std::string>{"daxd-vol", "daxd-vol@c1"}));
  env.expect_dax_back();
  auto const copy = env.dm("daxd-vol@c1");
  ASSERT_TRUE(copy.has_value());
  EXPECT_TRUE(copy->dax);
  auto const host_state = env.host->state();
  auto const* ro = env.mount_at(host_state, kSnapMnt);
  ASSERT_NE(ro, nullptr);
  EXPECT_TRUE(ro->read_only);
  EXPECT_EQ(env.read("/dev/mapper/daxd-vol@c1"), "at snapshot time");
  expect_at_rest(*env.host);
}

TEST(SnapshotReconcile, VolumeWithoutSnapshotsIsLeftToReconcileVolume) {
  SnapshotEnv env("reconcile-plain");
  env.make_world();
  env.reboot();
  auto const report = env.reconcile();
  EXPECT_EQ(report.restored, 1);
  auto const ops = env.engine->list(1, 0);
  ASSERT_TRUE(ops);
  EXPECT_EQ(ops->front().type, orchestrator::kReconcileVolume);
  env.expect_dax_back();
}

}  // namespace
}  // namespace daxd::testing
