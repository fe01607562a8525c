// SPDX-License-Identifier: Apache-2.0
// host::Filesystems for the real kernel: libmount, mkfs via posix_spawn, mount(2), FIFREEZE,
// libblkid.
#pragma once

#include "daemon/host/filesystems.h"

namespace daxd::host::linux_impl {

class LinuxFilesystems final : public Filesystems {
 public:
  Result<std::vector<MountEntry>> list_mounts() override;
  Result<void> make_filesystem(std::string_view device, FsType type) override;
  Result<void> mount(std::string_view device, std::string_view target, FsType type,
                     DaxMode dax) override;
  Result<void> mount_read_only(std::string_view device, std::string_view target,
                               FsType type) override;
  Result<void> unmount(std::string_view target) override;
  Result<void> freeze(std::string_view target) override;
  Result<void> thaw(std::string_view target) override;
  Result<std::string> probe_signature(std::string_view device) override;
  // Per-file DAX (linux_file_dax.cpp).
  Result<FileDaxState> file_dax_state(std::string_view root, std::string_view path) override;
  Result<void> set_file_dax(std::string_view root, std::string_view path, bool on) override;
  Result<void> evict_inodes(std::string_view root) override;
};

/// "always" | "never" | "inode" from a mount option string ("rw,dax=inode"; bare "dax" is
/// "always"), "" when there is no dax option.
std::string dax_from_options(std::string const& options);

/// The mount table in mountinfo format at `path` (/proc/self/mountinfo), read with libmount.
/// Errors: io_error.
Result<std::vector<MountEntry>> read_mount_table(std::string const& path);

/// Runs `argv` without a shell; its stderr is returned in the error. Errors: not_found (no such
/// program), io_error (non-zero exit).
Result<void> run_program(std::vector<std::string> const& argv);

}  // namespace daxd::host::linux_impl
