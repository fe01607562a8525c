// SPDX-License-Identifier: Apache-2.0
// The whole host: one object per concern, owned by a real (linux/) or simulated (sim/) host.
#pragma once

#include <string>

#include "daemon/host/block_devices.h"
#include "daemon/host/clock.h"
#include "daemon/host/device_events.h"
#include "daemon/host/device_mapper.h"
#include "daemon/host/filesystems.h"
#include "daemon/host/nvdimm.h"
#include "daemon/host/processes.h"
#include "daemon/host/programs.h"

namespace daxd::host {

class Host {
 public:
  virtual ~Host() = default;
  virtual Nvdimm& nvdimm() = 0;
  virtual DeviceMapper& device_mapper() = 0;
  virtual Filesystems& filesystems() = 0;
  virtual Processes& processes() = 0;
  virtual Clock& clock() = 0;
  /// uevents for pmem, dax and dm devices. The default delivers none (start() is unsupported).
  virtual DeviceEvents& device_events();
  /// Helper programs (quiesce hooks). The default spawns real programs (SpawnPrograms).
  virtual Programs& programs();
  /// Bulk copies between block devices (copy snapshots). The default refuses (unsupported).
  virtual BlockDevices& block_devices();
  /// "linux" or "sim:<fixture>", for /healthz and logs.
  virtual std::string describe() const = 0;
};

}  // namespace daxd::host
