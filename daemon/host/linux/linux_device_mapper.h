// SPDX-License-Identifier: Apache-2.0
// host::DeviceMapper for the real kernel through libdevmapper, with or without udevd.
#pragma once

#include "daemon/host/device_mapper.h"

namespace daxd::host::linux_impl {

class LinuxDeviceMapper final : public DeviceMapper {
 public:
  /// Routes libdevmapper's log into the error texts and picks the udev mode: cookies with
  /// udevd running, otherwise libdevmapper makes /dev/mapper nodes itself.
  LinuxDeviceMapper();
  ~LinuxDeviceMapper() override;

  Result<std::vector<DmDevice>> list_devices() override;
  Result<DmDevice> create(std::string_view name, std::string_view uuid,
                          std::vector<DmTarget> const& table) override;
  Result<void> reload(std::string_view name, std::vector<DmTarget> const& table) override;
  Result<void> suspend(std::string_view name) override;
  Result<void> resume(std::string_view name) override;
  Result<void> remove(std::string_view name) override;
  Result<std::vector<std::string>> status(std::string_view name) override;

  bool udev_sync() const { return udev_sync_; }

 private:
  Result<DmDevice> describe(std::string const& name);
  Result<void> simple_op(int task_type, std::string const& name, char const* verb);

  bool udev_sync_ = false;
};

}  // namespace daxd::host::linux_impl
