// SPDX-License-Identifier: Apache-2.0
// Kernel uevents through libudev's netlink monitor on the "kernel" source (no udevd needed).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "daemon/host/device_events.h"

struct udev;
struct udev_monitor;

namespace daxd::host::linux_impl {

/// Listens on NETLINK_KOBJECT_UEVENT (the kernel's own messages, as `udevadm monitor -k` does),
/// filtered to the nd, dax and block subsystems, on its own thread. Works without udevd.
class LinuxDeviceEvents final : public DeviceEvents {
 public:
  LinuxDeviceEvents() = default;
  ~LinuxDeviceEvents() override;
  LinuxDeviceEvents(LinuxDeviceEvents const&) = delete;
  LinuxDeviceEvents& operator=(LinuxDeviceEvents const&) = delete;

  /// Errors: unavailable (libudev or the netlink socket cannot be set up), already_exists.
  Result<void> start(Callback callback) override;
  void stop() override;

 private:
  void run(Callback callback, int monitor_fd);

  std::mutex mu_;  // serialises start/stop
  std::thread thread_;
  int wake_fd_ = -1;  // eventfd that ends the thread's poll
  std::shared_ptr<udev> udev_;
  std::shared_ptr<udev_monitor> monitor_;
};

}  // namespace daxd::host::linux_impl
