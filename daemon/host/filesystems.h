// SPDX-License-Identifier: Apache-2.0
// Filesystems as daxd needs them: the mount table, mkfs, mount, unmount, freeze and thaw.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/model/device.h"
#include "daemon/model/result.h"
#include "daemon/model/volume.h"

namespace daxd::host {

class Filesystems {
 public:
  virtual ~Filesystems() = default;

  /// The current mount table. Errors: io_error.
  virtual Result<std::vector<MountEntry>> list_mounts() = 0;

  /// The device holds a fresh filesystem of `type` (ext4 with 4 KiB blocks so DAX works).
  /// Errors: not_found, busy (mounted), io_error.
  virtual Result<void> make_filesystem(std::string_view device, FsType type) = 0;

  /// `device` is mounted at `target` (created if missing) with dax=`dax`.
  /// Errors: not_found, busy, invalid_argument (the kernel refused the options), io_error.
  virtual Result<void> mount(std::string_view device, std::string_view target, FsType type,
                             DaxMode dax) = 0;

  /// Nothing is mounted at `target` any more; never lazy. Errors: not_found, busy, io_error.
  virtual Result<void> unmount(std::string_view target) = 0;

  /// The filesystem at `target` is frozen (FIFREEZE). Errors: not_found, busy, io_error.
  virtual Result<void> freeze(std::string_view target) = 0;

  /// The filesystem at `target` is not frozen (FITHAW; thawing a thawed fs succeeds).
  /// Errors: not_found, io_error.
  virtual Result<void> thaw(std::string_view target) = 0;

  /// Whether the block device carries a filesystem signature, e.g. "ext4"; "" when none.
  /// Errors: not_found, io_error.
  virtual Result<std::string> probe_signature(std::string_view device) = 0;
};

}  // namespace daxd::host
