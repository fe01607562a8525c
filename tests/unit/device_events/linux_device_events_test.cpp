// SPDX-License-Identifier: Apache-2.0
// The libudev kernel monitor on this machine: starts and stops without udevd; sees a "change"
// written to a pmem or dm device's uevent file. Skipped when not root or without uevents.
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>

#include <gtest/gtest.h>

#include "daemon/host/linux/linux_device_events.h"

namespace daxd::testing {
namespace {

using host::DeviceEvent;
using host::linux_impl::LinuxDeviceEvents;

// A watched block device of this machine (pmem*, dm-*), if any.
std::optional<std::string> watched_block_device() {
  std::error_code ec;
  for (auto const& e : std::filesystem::directory_iterator("/sys/class/block", ec)) {
    std::string const name = e.path().filename().string();
    if (host::is_watched(DeviceEvent{host::DeviceAction::change, "block", name, {}})) return name;
  }
  return std::nullopt;
}

TEST(LinuxDeviceEvents, StartsAndStopsWithoutUdevd) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  LinuxDeviceEvents events;
  auto started = events.start([](DeviceEvent const&) {});
  if (!started && started.error().code == Errc::unavailable) {
    GTEST_SKIP() << "no kernel uevent netlink here: " << started.error().message;
  }
  ASSERT_TRUE(started) << started.error().message;
  auto again = events.start([](DeviceEvent const&) {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::already_exists);
  events.stop();
  events.stop();
  EXPECT_TRUE(events.start([](DeviceEvent const&) {})) << "a stopped monitor starts again";
}

TEST(LinuxDeviceEvents, SeesAChangeOfAWatchedDevice) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  auto const dev = watched_block_device();
  if (!dev) GTEST_SKIP() << "no pmem or dm block device on this machine";
  std::mutex mu;
  std::condition_variable cv;
  std::optional<DeviceEvent> seen;
  LinuxDeviceEvents events;
  auto started = events.start([&](DeviceEvent const& e) {
    std::lock_guard const lock(mu);
    if (e.devname == *dev && !seen) seen = e;
    cv.notify_all();
  });
  if (!started) GTEST_SKIP() << "no kernel uevent netlink here: " << started.error().message;
  {
    std::ofstream trigger("/sys/class/block/" + *dev + "/uevent");
    trigger << "change\n";
    if (!trigger) GTEST_SKIP() << "cannot write the uevent file of " << *dev;
  }
  std::unique_lock lock(mu);
  // A bound, not a measurement: events from the kernel arrive at once or not at all here.
  if (!cv.wait_for(lock, std::chrono::seconds(5), [&] { return seen.has_value(); })) {
    GTEST_SKIP() << "no uevent reached this network namespace";
  }
  EXPECT_EQ(seen->action, host::DeviceAction::change);
  EXPECT_EQ(seen->subsystem, "block");
  EXPECT_NE(seen->devnum.major, 0u);
}

}  // namespace
}  // namespace daxd::testing
