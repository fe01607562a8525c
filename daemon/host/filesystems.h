// SPDX-License-Identifier: Apache-2.0
// Filesystems as daxd needs them: the mount table, mkfs, mount, unmount, freeze and thaw.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/model/device.h"
#include "daemon/model/result.h"
#include "daemon/model/volume.h"

namespace daxd::host {

/// The per-file DAX state of one file or directory (Documentation/filesystems/dax.rst).
struct FileDaxState {
  std::string path;            // absolute, as resolved beneath the root
  bool directory = false;      // a directory (its flag is inherited by new entries) or a file
  bool dax_flag = false;       // persistent FS_XFLAG_DAX (FS_IOC_FSGETXATTR)
  bool effective_dax = false;  // S_DAX of the inode in memory: statx STATX_ATTR_DAX
  DevNumber dev;               // st_dev
  std::uint64_t inode = 0;     // st_ino
};

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

  /// `device` is mounted read-only at `target` (created if missing), dax=never, with what a
  /// point-in-time copy of a mounted filesystem needs: xfs gets nouuid (the origin holds the
  /// same uuid) and norecovery; ext4 gets noload. Errors: as mount, unsupported.
  virtual Result<void> mount_read_only(std::string_view device, std::string_view target,
                                       FsType type) {
    (void)device, (void)target, (void)type;
    return Fail(Errc::unsupported, "this host cannot mount read-only");
  }

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

  // ---- per-file DAX (dax=inode mounts). `path` is resolved beneath `root` (a mountpoint):
  // relative to it, no "..", no symlink leading out of it, no crossing into another mount. ----

  /// The state of the regular file or directory at `path`. Errors: not_found, invalid_argument
  /// (leaves `root`, or neither a regular file nor a directory), unsupported (the filesystem has
  /// no FS_XFLAG_DAX or statx does not report STATX_ATTR_DAX), io_error.
  virtual Result<FileDaxState> file_dax_state(std::string_view root, std::string_view path) {
    (void)root, (void)path;
    return Fail(Errc::unsupported, "this host has no per-file dax");
  }

  /// FS_XFLAG_DAX of `path` is `on`. The inode keeps its mode until it is evicted: the kernel
  /// marks it "don't cache" on a change, so the last close evicts it. Errors: as
  /// file_dax_state, permission_denied.
  virtual Result<void> set_file_dax(std::string_view root, std::string_view path, bool on) {
    (void)root, (void)path, (void)on;
    return Fail(Errc::unsupported, "this host has no per-file dax");
  }

  /// Unused inodes are evicted (the filesystem at `root` synced, then vm.drop_caches=2), so a
  /// changed flag takes effect on the next load; inodes in use stay. Errors: permission_denied,
  /// io_error.
  virtual Result<void> evict_inodes(std::string_view root) {
    (void)root;
    return Fail(Errc::unsupported, "this host cannot evict inodes");
  }
};

}  // namespace daxd::host
