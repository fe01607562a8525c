// SPDX-License-Identifier: Apache-2.0
// The device-event filter shared by every host, and the source of hosts that have none.
#include "daemon/host/device_events.h"

#include "daemon/host/host.h"

namespace daxd::host {
namespace {

class NoDeviceEvents final : public DeviceEvents {
 public:
  Result<void> start(Callback) override {
    return Fail(Errc::unsupported, "this host delivers no device events");
  }
  void stop() override {}
};

}  // namespace

std::string_view to_string(DeviceAction a) {
  switch (a) {
    case DeviceAction::add:
      return "add";
    case DeviceAction::remove:
      return "remove";
    case DeviceAction::change:
      return "change";
  }
  return "change";
}

bool is_watched(DeviceEvent const& e) {
  if (e.subsystem == "nd" || e.subsystem == "dax") return true;
  if (e.subsystem != "block") return false;
  return e.devname.rfind("pmem", 0) == 0 || e.devname.rfind("dm-", 0) == 0;
}

DeviceEvents& no_device_events() {
  static NoDeviceEvents none;
  return none;
}

DeviceEvents& Host::device_events() { return no_device_events(); }

}  // namespace daxd::host
