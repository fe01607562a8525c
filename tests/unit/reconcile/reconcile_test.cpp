// SPDX-License-Identifier: Apache-2.0
// Start-up reconcile on the sim host: volumes come back identical after a "reboot"; a volume
// whose namespace is gone stays failed with an event; a second run changes nothing.
#include <gtest/gtest.h>

#include "tests/unit/reconcile/reconcile_env.h"

namespace daxd::testing {
namespace {

using orchestrator::kReconcileVolume;

DmDevice only_dm(ReconcileEnv& env) {
  auto const all = env.host->device_mapper().list_devices();
  EXPECT_TRUE(all);
  EXPECT_EQ(all ? all->size() : 0u, 1u);
  return all && !all->empty() ? all->front() : DmDevice{};
}

TEST(Reconcile, BringsBackTableAndMountAfterReboot) {
  ReconcileEnv env("reboot");
  env.make_mounted_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "kept across reboots"));
  DmDevice const before = only_dm(env);
  env.reboot();
  ASSERT_EQ(env.volumes().at(0).state, VolumeState::failed);

  auto const report = env.reconcile();
  EXPECT_EQ(report.restored, 1);
  EXPECT_EQ(report.failed, 0);
  ASSERT_EQ(report.messages.size(), 1u);
  EXPECT_NE(report.messages[0].find("re-create /dev/mapper/daxd-vol"), std::string::npos)
      << report.messages[0];

  DmDevice const after = only_dm(env);
  EXPECT_EQ(after.name, before.name);
  EXPECT_EQ(after.uuid, before.uuid);
  EXPECT_EQ(after.table, before.table);
  EXPECT_TRUE(after.dax) << "created DAX-capable from its first table";
  auto const s = env.host->state();
  ASSERT_EQ(s.dm_devices.size(), 1u);
  EXPECT_EQ(s.dm_devices[0].type, host::sim::DmType::dax_bio_based);
  auto const* m = env.mount_at(s, kMnt);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->dax, DaxMode::always);
  EXPECT_TRUE(m->dax_active);
  EXPECT_EQ(*env.host->read_file(kNode, "/data"), "kept across reboots");
  auto const vols = env.volumes();
  ASSERT_EQ(vols.size(), 1u);
  EXPECT_EQ(vols[0].state, VolumeState::active);
  EXPECT_EQ(vols[0].reason, "");

  auto const rec = env.events_of("volume-reconciled");
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0].object, "volume/vol");
  EXPECT_EQ(rec[0].data["state"], "completed");
  EXPECT_EQ(rec[0].data["actions"], nlohmann::json::array({"create-dm", "mount"}));
  auto const ops = env.engine->list(10, 0);
  ASSERT_TRUE(ops);
  EXPECT_EQ(ops->front().type, kReconcileVolume);
  expect_at_rest(*env.host);
}

TEST(Reconcile, MountsAVolumeWhoseDeviceSurvived) {
  ReconcileEnv env("mount-only");
  env.make_mounted_volume();
  ASSERT_TRUE(env.host->filesystems().unmount(kMnt));
  ASSERT_EQ(env.volumes().at(0).state, VolumeState::unmounted);
  auto const report = env.reconcile();
  EXPECT_EQ(report.restored, 1);
  auto const rec = env.events_of("volume-reconciled");
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0].data["actions"], nlohmann::json::array({"mount"}));
  EXPECT_EQ(env.volumes().at(0).state, VolumeState::active);
}

TEST(Reconcile, StripedVolumeComesBackIdentical) {
  ReconcileEnv env("striped");
  env.make_namespace("a", "region0");
  env.make_namespace("b", "region1");
  Operation const op =
      env.run(orchestrator::kCreateVolume, env.create_volume({{"name", "vol"},
                                                              {"layout", "striped"},
                                                              {"namespaces", {"a", "b"}},
                                                              {"mountpoint", kMnt},
                                                              {"dax", "inode"}}));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  DmDevice const before = only_dm(env);
  env.reboot();
  EXPECT_EQ(env.reconcile().restored, 1);
  EXPECT_EQ(only_dm(env).table, before.table);
  auto const host_state = env.host->state();
  auto const* m = env.mount_at(host_state, kMnt);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->dax, DaxMode::inode);
  EXPECT_EQ(env.volumes().at(0).state, VolumeState::active);
}

TEST(Reconcile, MissingNamespaceLeavesVolumeFailedWithEvent) {
  ReconcileEnv env("lost-ns");
  env.make_mounted_volume();
  env.reboot({"a"});
  auto const report = env.reconcile();
  EXPECT_EQ(report.failed, 1);
  EXPECT_EQ(report.restored, 0);
  EXPECT_TRUE(env.host->state().dm_devices.empty()) << "nothing is built on a missing namespace";
  auto const failed = env.events_of("volume-failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].object, "volume/vol");
  EXPECT_EQ(failed[0].data["volume"], "vol");
  EXPECT_EQ(failed[0].data["device"], "a");
  EXPECT_EQ(failed[0].data["reason"], "namespace 'a' is gone");
  auto const vols = env.volumes();
  ASSERT_EQ(vols.size(), 1u);
  EXPECT_EQ(vols[0].state, VolumeState::failed);
  EXPECT_EQ(vols[0].reason, "namespace 'a' is gone");
  EXPECT_TRUE(env.events_of("volume-reconciled").empty());
}

TEST(Reconcile, SecondRunChangesNothing) {
  ReconcileEnv env("idempotent");
  env.make_mounted_volume();
  env.reboot();
  ASSERT_EQ(env.reconcile().restored, 1);
  auto const state_after_first = env.host->state();
  auto const ops_before = env.engine->list(100, 0);
  ASSERT_TRUE(ops_before);

  auto const second = env.reconcile();
  EXPECT_EQ(second.restored, 0);
  EXPECT_EQ(second.failed, 0);
  EXPECT_EQ(second.unchanged, 1);
  EXPECT_TRUE(second.messages.empty());
  auto const ops_after = env.engine->list(100, 0);
  ASSERT_TRUE(ops_after);
  EXPECT_EQ(ops_after->size(), ops_before->size()) << "no operation for a healthy volume";
  EXPECT_EQ(state_to_json(env.host->state()), state_to_json(state_after_first));
}

TEST(Reconcile, OperationRunTwiceIsIdempotent) {
  ReconcileEnv env("op-twice");
  env.make_mounted_volume();
  auto const spec = orchestrator::volume_spec(env.volumes().at(0));
  nlohmann::json const request{{"name", "vol"}, {"volume", spec}};
  Operation const op = env.run(kReconcileVolume, request);
  EXPECT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_EQ(env.volumes().at(0).state, VolumeState::active);
  expect_at_rest(*env.host);
}

TEST(Reconcile, MountFailureKeepsTheDeviceAndReportsIt) {
  ReconcileEnv env("mount-fails");
  env.make_mounted_volume();
  env.reboot();
  ASSERT_TRUE(env.host->inject_fault("fs.mount", EIO));
  auto const report = env.reconcile();
  EXPECT_EQ(report.failed, 1);
  ASSERT_EQ(report.messages.size(), 1u);
  EXPECT_NE(report.messages[0].find("failed"), std::string::npos) << report.messages[0];
  EXPECT_EQ(env.host->state().dm_devices.size(), 1u) << "the table is back; only the mount is not";
  EXPECT_EQ(env.volumes().at(0).state, VolumeState::unmounted);
  // The next start-up finishes the job.
  EXPECT_EQ(env.reconcile().restored, 1);
  EXPECT_EQ(env.volumes().at(0).state, VolumeState::active);
}

TEST(Reconcile, CreatesTheDaxTableWithoutAnyReload) {
  // The table given to the kernel at creation is the DAX-capable one: no reload happened.
  ReconcileEnv env("no-reload");
  env.make_mounted_volume();
  env.reboot();
  ASSERT_TRUE(env.host->inject_fault("dm.reload", EIO, 100));
  EXPECT_EQ(env.reconcile().restored, 1);
  EXPECT_EQ(env.volumes().at(0).state, VolumeState::active);
}

}  // namespace
}  // namespace daxd::testing
