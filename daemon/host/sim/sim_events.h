// SPDX-License-Identifier: Apache-2.0
// The sim's uevents: derived from what a change did to the simulated kernel's devices.
#pragma once

#include <mutex>
#include <vector>

#include "daemon/host/device_events.h"
#include "daemon/host/sim/sim_state.h"

namespace daxd::host::sim {

/// The uevents the kernel would send for the change from `before` to `after`: nd for
/// namespaces, block for pmem and dm devices, dax for device-dax; removals (children first),
/// then additions (parents first), then changes (a dm table swapped or suspended, a namespace
/// reconfigured in place). Pure.
std::vector<DeviceEvent> device_changes(SimState const& before, SimState const& after);

/// The sim's event source: SimHost delivers each change's events after releasing its lock.
class SimDeviceEvents final : public DeviceEvents {
 public:
  /// Errors: already_exists.
  Result<void> start(Callback callback) override;
  void stop() override;
  /// Calls the callback (if started) for each watched event, in order.
  void deliver(std::vector<DeviceEvent> const& events);

 private:
  std::mutex mu_;  // held while delivering, so that stop() waits for a callback in progress
  Callback callback_;
};

}  // namespace daxd::host::sim
