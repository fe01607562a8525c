// SPDX-License-Identifier: Apache-2.0
// Processes as daxd needs them: who uses a device or a filesystem, and signalling them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/model/consumer.h"
#include "daemon/model/device.h"
#include "daemon/model/result.h"

namespace daxd::host {

/// One inode: st_dev and st_ino.
struct FileId {
  DevNumber dev;
  std::uint64_t inode = 0;
  friend bool operator==(FileId const&, FileId const&) = default;
};

/// What to look for: filesystems by st_dev (files open, mapped, cwd/root inside) and device
/// nodes by st_rdev (the block or char device itself open or mapped).
struct ConsumerQuery {
  std::vector<DevNumber> filesystems;
  std::vector<DevNumber> devices;
  /// Single files by (st_dev, st_ino): fds, mappings, cwd/root/exe of exactly these inodes.
  std::vector<FileId> files = {};
};

class Processes {
 public:
  virtual ~Processes() = default;

  /// Every process use matching the query, one entry per (pid, kind, path). Processes that
  /// vanish during the scan are skipped. Errors: io_error.
  virtual Result<std::vector<Consumer>> find_consumers(ConsumerQuery const& query) = 0;

  /// The signal was sent. Errors: not_found (no such pid), permission_denied.
  virtual Result<void> send_signal(int pid, int signal) = 0;
};

}  // namespace daxd::host
