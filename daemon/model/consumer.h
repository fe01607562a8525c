// SPDX-License-Identifier: Apache-2.0
// A process or mount that uses a device, and so can block a change to it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace daxd {

enum class ConsumerKind {
  mount,    // the device is mounted (pid 0)
  fd,       // an open file descriptor on the device or a file on it
  mapping,  // a memory mapping of the device or a file on it
  cwd,      // the process's working directory is inside the filesystem
  root,     // the process's root directory is inside the filesystem
  exe,      // the process's executable lives on the filesystem
  holder,   // another block device (dm table) is built on it
};

std::string_view to_string(ConsumerKind kind);

struct Consumer {
  ConsumerKind kind = ConsumerKind::fd;
  int pid = 0;            // 0 for mounts and holders
  std::string command;    // /proc/PID/comm, or the holder's name
  std::string path;       // file, mountpoint or device path
  bool map_sync = false;  // mapping with MAP_SYNC (smaps VmFlags "sf")
  bool dax = false;       // the mapping or file is served by DAX

  friend bool operator==(Consumer const&, Consumer const&) = default;
};

/// Orders by (pid, kind, path) and folds entries with the same three into one, keeping
/// map_sync and dax if any of them had it: one entry per use, however the scan found it.
void sort_and_merge(std::vector<Consumer>& consumers);

}  // namespace daxd
