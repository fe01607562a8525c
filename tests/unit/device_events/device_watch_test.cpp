// SPDX-License-Identifier: Apache-2.0
// DeviceWatch on the sim host: an unplugged namespace or a removed dm device fails the volumes
// on it (one event each), daxd's own destroy does not, and every uevent refreshes the inventory.
#include <gtest/gtest.h>

#include "daemon/device_watch.h"
#include "daemon/inventory/inventory.h"
#include "tests/unit/reconcile/reconcile_env.h"

namespace daxd::testing {
namespace {

struct WatchEnv : ReconcileEnv {
  inventory::Inventory inventory;
  std::unique_ptr<DeviceWatch> watch;

  explicit WatchEnv(std::string const& name) : ReconcileEnv("watch-" + name), inventory(*host) {
    inventory.set_volume_source(
        [this](inventory::View const& kernel) -> Result<std::vector<Volume>> {
          DAXD_ASSIGN_OR_RETURN(auto const desired, orchestrator::desired_volumes(state->desired()));
          return orchestrator::build_volume_view(desired, kernel.dm_devices, kernel.mounts,
                                                 kernel.namespaces);
        });
  }
  ~WatchEnv() { watch.reset(); }

  void start_watch() {
    watch = std::make_unique<DeviceWatch>(host->device_events(), inventory, sink,
                                          state->journal());
    ASSERT_TRUE(watch->start());
  }
  Volume view_volume() {
    auto const view = inventory.current();
    EXPECT_EQ(view->volumes.size(), 1u);
    return view->volumes.empty() ? Volume{} : view->volumes.front();
  }
  std::string namespace_dev(std::string const& name) {
    for (auto const& n : namespaces()) {
      if (n.name == name) return n.dev;
    }
    return "";
  }
};

TEST(DeviceWatch, UnpluggedNamespaceFailsItsVolumeOnce) {
  WatchEnv env("unplug");
  env.make_mounted_volume();
  env.start_watch();
  ASSERT_TRUE(env.host->unplug_namespace(env.namespace_dev("a")));
  env.watch->wait_idle();

  auto const failed = env.events_of("volume-failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].object, "volume/vol");
  EXPECT_EQ(failed[0].data["volume"], "vol");
  EXPECT_EQ(failed[0].data["reason"], "namespace 'a' is gone");
  EXPECT_EQ(failed[0].data["device"], "pmem0");
  EXPECT_EQ(env.events_of("device-removed").size(), 2u);  // pmem0 and namespace0.0
  Volume const v = env.view_volume();
  EXPECT_EQ(v.state, VolumeState::failed);
  EXPECT_EQ(v.reason, "namespace 'a' is gone");

  // Later events do not repeat the report.
  env.make_namespace("b");
  env.watch->wait_idle();
  EXPECT_EQ(env.events_of("volume-failed").size(), 1u);
}

TEST(DeviceWatch, RemovedDmDeviceFailsTheVolumeAndReconcileHealsIt) {
  WatchEnv env("dm-gone");
  env.make_namespace("a");
  Operation const op = env.run(orchestrator::kCreateVolume,
                               env.create_volume({{"name", "vol"},
                                                  {"namespaces", {"a"}},
                                                  {"filesystem", "none"}}));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  env.start_watch();
  ASSERT_TRUE(env.host->device_mapper().remove("daxd-vol"));  // an admin's dmsetup remove
  env.watch->wait_idle();
  auto failed = env.events_of("volume-failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].data["device"], "dm-0");
  EXPECT_EQ(failed[0].data["reason"], "dm device daxd-vol is missing");

  EXPECT_EQ(env.reconcile().restored, 1);
  env.watch->wait_idle();
  EXPECT_EQ(env.view_volume().state, VolumeState::active);
  // Healthy in between: a second loss is a second report.
  ASSERT_TRUE(env.host->device_mapper().remove("daxd-vol"));
  env.watch->wait_idle();
  EXPECT_EQ(env.events_of("volume-failed").size(), 2u);
}

TEST(DeviceWatch, DestroyVolumeIsNotAFailure) {
  WatchEnv env("destroy");
  env.make_mounted_volume();
  env.start_watch();
  Operation const op = env.run(orchestrator::kDestroyVolume, env.destroy());
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  env.watch->wait_idle();
  EXPECT_TRUE(env.events_of("volume-failed").empty());
  auto const removed = env.events_of("device-removed");
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].data["devname"], "dm-0");
  EXPECT_EQ(removed[0].data["subsystem"], "block");
  EXPECT_EQ(removed[0].data["devnum"], "254:0");
}

TEST(DeviceWatch, UeventsRefreshTheInventory) {
  WatchEnv env("refresh");
  env.start_watch();
  auto const before = env.inventory.current();
  EXPECT_EQ(before->find_namespace("b"), nullptr);
  // Straight through the host: no operation, no engine event marks the cache stale.
  host::NamespaceSpec spec;
  spec.region = "region1";
  spec.size = 256ULL << 20;
  spec.mode = NamespaceMode::fsdax;
  spec.name = "b";
  ASSERT_TRUE(env.host->nvdimm().create_namespace(spec));
  env.watch->wait_idle();
  auto const after = env.inventory.current();
  EXPECT_GT(after->generation, before->generation);
  EXPECT_NE(after->find_namespace("b"), nullptr);
}

TEST(DeviceWatch, VolumesFailedAtStartAreNotReportedAgain) {
  WatchEnv env("seeded");
  env.make_mounted_volume();
  env.reboot({"a"});
  env.start_watch();
  env.make_namespace("b");
  ASSERT_TRUE(env.host->unplug_namespace(env.namespace_dev("b")));
  env.watch->wait_idle();
  EXPECT_TRUE(env.events_of("volume-failed").empty());
  EXPECT_EQ(env.view_volume().state, VolumeState::failed);
}

TEST(DeviceWatch, StopIsIdempotentAndEndsDelivery) {
  WatchEnv env("stop");
  env.start_watch();
  env.watch->stop();
  env.watch->stop();
  env.make_namespace("a");
  EXPECT_TRUE(env.events_of("device-removed").empty());
  auto again = env.host->device_events().start([](host::DeviceEvent const&) {});
  EXPECT_TRUE(again) << "the source was released";
  env.host->device_events().stop();
}

}  // namespace
}  // namespace daxd::testing
