// SPDX-License-Identifier: Apache-2.0
// LinuxHost owns the real implementations and the system clock.
#include "daemon/host/linux/linux_host.h"

#include "daemon/host/linux/linux_block_devices.h"
#include "daemon/host/linux/linux_device_events.h"
#include "daemon/host/linux/linux_device_mapper.h"
#include "daemon/host/linux/linux_filesystems.h"
#include "daemon/host/linux/linux_nvdimm.h"
#include "daemon/host/linux/linux_processes.h"

namespace daxd::host {
namespace {

class LinuxHost final : public Host {
 public:
  Nvdimm& nvdimm() override { return nvdimm_; }
  DeviceMapper& device_mapper() override { return dm_; }
  Filesystems& filesystems() override { return fs_; }
  Processes& processes() override { return processes_; }
  Clock& clock() override { return clock_; }
  DeviceEvents& device_events() override { return events_; }
  BlockDevices& block_devices() override { return block_devices_; }
  // Which consumer scan serves refusals here, and why not BPF: one line in the journal.
  LinuxHost() { processes_.announce_choice(); }

  std::string describe() const override { return "linux"; }

 private:
  linux_impl::LinuxNvdimm nvdimm_;
  linux_impl::LinuxDeviceMapper dm_;
  linux_impl::LinuxFilesystems fs_;
  linux_impl::LinuxProcesses processes_;
  SystemClock clock_;
  linux_impl::LinuxDeviceEvents events_;
  linux_impl::LinuxBlockDevices block_devices_{clock_};
};

}  // namespace

Result<std::unique_ptr<Host>> make_linux_host() {
  return std::unique_ptr<Host>(std::make_unique<LinuxHost>());
}

}  // namespace daxd::host
