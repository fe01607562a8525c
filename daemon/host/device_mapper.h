// SPDX-License-Identifier: Apache-2.0
// device-mapper as daxd needs it: list, create, reload, suspend, resume, remove.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/model/device.h"
#include "daemon/model/result.h"

namespace daxd::host {

class DeviceMapper {
 public:
  virtual ~DeviceMapper() = default;

  /// Every dm device with its live table and DAX capability. Errors: unavailable, io_error.
  virtual Result<std::vector<DmDevice>> list_devices() = 0;

  /// A new active device with `table` loaded and its /dev/mapper node present.
  /// Errors: already_exists, invalid_argument (table refused), io_error.
  virtual Result<DmDevice> create(std::string_view name, std::string_view uuid,
                                  std::vector<DmTarget> const& table) = 0;

  /// The inactive table of a (suspended) device is `table`; resume() makes it live.
  /// Errors: not_found, invalid_argument (e.g. "can't change device type"), io_error.
  virtual Result<void> reload(std::string_view name, std::vector<DmTarget> const& table) = 0;

  /// The device is suspended (I/O queued, filesystem frozen by the kernel if `flush`).
  /// Errors: not_found, io_error.
  virtual Result<void> suspend(std::string_view name) = 0;

  /// The device is running its live (or newly loaded) table. Errors: not_found, io_error.
  virtual Result<void> resume(std::string_view name) = 0;

  /// The device is gone. Errors: not_found, busy (open or mounted), io_error.
  virtual Result<void> remove(std::string_view name) = 0;

  /// The status line of each target of the live table, as `dmsetup status` prints its params
  /// (without start, length and type): a snapshot gives "<allocated>/<total> <metadata>",
  /// "Invalid", "Overflow" or "Merge failed"; a snapshot-merge reports progress the same way
  /// (merged when allocated == metadata). Errors: not_found, io_error, unsupported.
  virtual Result<std::vector<std::string>> status(std::string_view name) {
    (void)name;
    return Fail(Errc::unsupported, "this host has no dm status");
  }
};

}  // namespace daxd::host
