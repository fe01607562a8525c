// SPDX-License-Identifier: Apache-2.0
// The sim's uevents: each change of the simulated kernel yields the events the kernel sends.
#include <gtest/gtest.h>

#include <mutex>

#include "daemon/host/sim/sim_control.h"
#include "daemon/host/sim/sim_host.h"
#include "tests/unit/orchestrator/engine_env.h"

namespace daxd::testing {
namespace {

using host::DeviceAction;
using host::DeviceEvent;

struct Recorder {
  std::mutex mu;
  std::vector<DeviceEvent> seen;
  host::DeviceEvents::Callback callback() {
    return [this](DeviceEvent const& e) {
      std::lock_guard const lock(mu);
      seen.push_back(e);
    };
  }
  std::vector<DeviceEvent> take() {
    std::lock_guard const lock(mu);
    return std::exchange(seen, {});
  }
};

struct SimEventsEnv {
  std::filesystem::path dir;
  std::unique_ptr<host::sim::SimHost> host;
  Recorder rec;
  SimEventsEnv() {
    dir = std::filesystem::temp_directory_path() / ("daxd-simev-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto h = host::sim::SimHost::create((dir / "host.json").string(), two_small_regions());
    EXPECT_TRUE(h);
    host = std::move(*h);
    EXPECT_TRUE(host->device_events().start(rec.callback()));
  }
  ~SimEventsEnv() {
    host->device_events().stop();
    std::filesystem::remove_all(dir);
  }
  Namespace make_fsdax(std::string const& name) {
    host::NamespaceSpec spec;
    spec.region = "region0";
    spec.size = 256ULL << 20;
    spec.mode = NamespaceMode::fsdax;
    spec.name = name;
    auto ns = host->nvdimm().create_namespace(spec);
    EXPECT_TRUE(ns) << (ns ? "" : ns.error().message);
    return ns ? *ns : Namespace{};
  }
};

TEST(SimDeviceEvents, NamespaceCreateAndDestroyAnnounceNdAndBlock) {
  SimEventsEnv env;
  Namespace const ns = env.make_fsdax("a");
  auto const added = env.rec.take();
  ASSERT_EQ(added.size(), 2u);
  EXPECT_EQ(added[0], (DeviceEvent{DeviceAction::add, "nd", ns.dev, {}}));
  EXPECT_EQ(added[1], (DeviceEvent{DeviceAction::add, "block", ns.blockdev, ns.devno}));
  ASSERT_TRUE(env.host->nvdimm().destroy_namespace(ns.dev));
  auto const removed = env.rec.take();
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0], (DeviceEvent{DeviceAction::remove, "block", ns.blockdev, ns.devno}));
  EXPECT_EQ(removed[1], (DeviceEvent{DeviceAction::remove, "nd", ns.dev, {}}));
}

TEST(SimDeviceEvents, DmCreateReloadRemove) {
  SimEventsEnv env;
  Namespace const ns = env.make_fsdax("a");
  env.rec.take();
  std::string const dev = std::to_string(ns.devno.major) + ":" + std::to_string(ns.devno.minor);
  auto made = env.host->device_mapper().create("t", "", {DmTarget{0, 4096, "linear", dev + " 0"}});
  ASSERT_TRUE(made);
  auto const added = env.rec.take();
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0], (DeviceEvent{DeviceAction::add, "block", "dm-0", made->dev}));
  ASSERT_TRUE(env.host->device_mapper().suspend("t"));
  ASSERT_TRUE(env.host->device_mapper().resume("t"));
  auto const changed = env.rec.take();
  ASSERT_EQ(changed.size(), 2u);
  EXPECT_EQ(changed[0].action, DeviceAction::change);
  ASSERT_TRUE(env.host->device_mapper().remove("t"));
  auto const removed = env.rec.take();
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0], (DeviceEvent{DeviceAction::remove, "block", "dm-0", made->dev}));
}

TEST(SimDeviceEvents, UnplugRemovesANamespaceEvenWhileHeld) {
  SimEventsEnv env;
  Namespace const ns = env.make_fsdax("a");
  std::string const dev = std::to_string(ns.devno.major) + ":" + std::to_string(ns.devno.minor);
  ASSERT_TRUE(env.host->device_mapper().create("t", "", {DmTarget{0, 4096, "linear", dev + " 0"}}));
  EXPECT_FALSE(env.host->nvdimm().destroy_namespace(ns.dev)) << "held by t";
  env.rec.take();
  ASSERT_TRUE(env.host->unplug_namespace(ns.dev));
  auto const removed = env.rec.take();
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0].devname, ns.blockdev);
  EXPECT_EQ(removed[1].devname, ns.dev);
  auto const dms = env.host->device_mapper().list_devices();
  ASSERT_TRUE(dms);
  ASSERT_EQ(dms->size(), 1u) << "the dm table stays, referring to a device that is gone";
  EXPECT_FALSE(dms->front().dax);
  EXPECT_FALSE(env.host->unplug_namespace(ns.dev));
}

TEST(SimDeviceEvents, StopEndsDeliveryAndStartTwiceIsRefused) {
  SimEventsEnv env;
  auto again = env.host->device_events().start([](DeviceEvent const&) {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::already_exists);
  env.host->device_events().stop();
  env.make_fsdax("a");
  EXPECT_TRUE(env.rec.take().empty());
}

TEST(DeviceEventFilter, WatchesPmemDaxDmAndNdOnly) {
  EXPECT_TRUE(host::is_watched({DeviceAction::add, "nd", "namespace0.0", {}}));
  EXPECT_TRUE(host::is_watched({DeviceAction::add, "dax", "dax0.1", {}}));
  EXPECT_TRUE(host::is_watched({DeviceAction::add, "block", "pmem0.1", {}}));
  EXPECT_TRUE(host::is_watched({DeviceAction::remove, "block", "dm-3", {}}));
  EXPECT_FALSE(host::is_watched({DeviceAction::add, "block", "loop0", {}}));
  EXPECT_FALSE(host::is_watched({DeviceAction::add, "net", "eth0", {}}));
}

}  // namespace
}  // namespace daxd::testing
