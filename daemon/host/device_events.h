// SPDX-License-Identifier: Apache-2.0
// Device events: the kernel's uevents for pmem, dax and dm devices coming and going.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "daemon/model/device.h"
#include "daemon/model/result.h"

namespace daxd::host {

enum class DeviceAction { add, remove, change };

std::string_view to_string(DeviceAction a);

/// One uevent as the kernel sends it (KOBJ_ADD/REMOVE/CHANGE; others are not delivered).
struct DeviceEvent {
  DeviceAction action = DeviceAction::change;
  std::string subsystem;  // "nd", "dax" or "block"
  std::string devname;    // "namespace0.0", "pmem0", "dax0.1", "dm-3"; "" when events were lost
  DevNumber devnum;       // 0:0 for devices without a node (nd)
  friend bool operator==(DeviceEvent const&, DeviceEvent const&) = default;
};

/// Whether daxd cares about `e`: nd and dax devices, and block devices named pmem* or dm-*.
bool is_watched(DeviceEvent const& e);

/// The source of device events. The callback runs on the source's own thread (linux) or on the
/// thread whose change made the event (sim), never under a host lock; it must be quick and
/// thread-safe (queue the work).
class DeviceEvents {
 public:
  using Callback = std::function<void(DeviceEvent const&)>;
  virtual ~DeviceEvents() = default;
  /// Delivers watched events to `callback` until stop(). Errors: unavailable (no netlink, no
  /// libudev), already_exists (started twice), unsupported (a host without events).
  virtual Result<void> start(Callback callback) = 0;
  /// No callback runs once stop() returns. Idempotent.
  virtual void stop() = 0;
};

/// A source that never delivers: start() fails with unsupported. For hosts without events.
DeviceEvents& no_device_events();

}  // namespace daxd::host
