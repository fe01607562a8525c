// SPDX-License-Identifier: Apache-2.0
// Kernel facts the inventory collects besides namespaces: dm devices and mounts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace daxd {

struct DevNumber {
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  friend bool operator==(DevNumber const&, DevNumber const&) = default;
  friend auto operator<=>(DevNumber const&, DevNumber const&) = default;
};

/// One line of a dm table: "0 1028096 linear /dev/pmem0 0".
struct DmTarget {
  std::uint64_t start = 0;   // sectors
  std::uint64_t length = 0;  // sectors
  std::string type;          // "linear", "striped", "snapshot-origin", ...
  std::string params;
  friend bool operator==(DmTarget const&, DmTarget const&) = default;
};

struct DmDevice {
  std::string name;  // "daxd-db"
  std::string uuid;  // "DAXD-<volume uuid>" for daxd's own
  DevNumber dev;
  bool suspended = false;
  bool dax = false;  // /sys/block/dm-N/queue/dax
  std::vector<DmTarget> table;
  friend bool operator==(DmDevice const&, DmDevice const&) = default;
};

/// One mounted filesystem (from the kernel's mount table).
struct MountEntry {
  std::string source;   // "/dev/pmem0", "/dev/mapper/daxd-db"
  std::string target;   // "/mnt/db"
  std::string fstype;   // "ext4"
  std::string options;  // the VFS and fs options joined: "rw,relatime,dax=always"
  DevNumber dev;        // st_dev of the filesystem
  std::string dax;      // "always" | "never" | "inode" | "" (from the options)
  friend bool operator==(MountEntry const&, MountEntry const&) = default;
};

}  // namespace daxd
