// SPDX-License-Identifier: Apache-2.0
// The mount table (libmount), mount/umount/freeze syscalls and the libblkid signature probe.
#include "daemon/host/linux/linux_filesystems.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "daemon/host/linux/ndctl_handles.h"

namespace daxd::host::linux_impl {
namespace {

std::string str_or_empty(char const* s) { return s != nullptr ? std::string(s) : std::string(); }

/// VFS and fs options merged as /proc/mounts shows them ("rw,relatime,dax=always").
std::string merged_options(libmnt_fs* fs) {
  char* merged = mnt_fs_strdup_options(fs);
  if (merged == nullptr) return str_or_empty(mnt_fs_get_vfs_options(fs));
  std::string out(merged);
  std::free(merged);
  return out;
}

MountEntry entry_from(libmnt_fs* fs) {
  MountEntry m;
  m.source = str_or_empty(mnt_fs_get_source(fs));
  m.target = str_or_empty(mnt_fs_get_target(fs));
  m.fstype = str_or_empty(mnt_fs_get_fstype(fs));
  m.options = merged_options(fs);
  dev_t const d = mnt_fs_get_devno(fs);
  m.dev = DevNumber{major(d), minor(d)};
  m.dax = dax_from_options(m.options);
  return m;
}

/// Ensures `target` is the root of a mount, so FIFREEZE never hits the containing filesystem.
Result<struct stat> require_mount_root(std::string const& target) {
  struct statx sx {};
  if (::statx(AT_FDCWD, target.c_str(), AT_NO_AUTOMOUNT, STATX_BASIC_STATS, &sx) != 0) {
    return error_from_errno(errno, target);
  }
  if ((sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 &&
      (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) == 0) {
    return Fail(Errc::not_found, target + ": not a mountpoint");
  }
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) return error_from_errno(errno, target);
  return st;
}

Result<void> freeze_ioctl(std::string const& target, unsigned long request, char const* verb) {
  DAXD_TRY(require_mount_root(target));
  UniqueFd fd(::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return error_from_errno(errno, target + ": cannot " + verb);
  if (::ioctl(fd.get(), request, 0) != 0) {
    int const err = errno;
    if (request == FITHAW && err == EINVAL) return Ok();  // already thawed
    if (request == FIFREEZE && err == EBUSY) {
      return Fail(Errc::busy, target + ": cannot freeze: already frozen");
    }
    if (err == EOPNOTSUPP)
      return Fail(Errc::unsupported, target + ": the filesystem cannot " + verb);
    return error_from_errno(err, target + ": cannot " + verb);
  }
  return Ok();
}

char const* dax_option(DaxMode dax) {
  switch (dax) {
    case DaxMode::always:
      return "dax=always";
    case DaxMode::never:
      return "dax=never";
    case DaxMode::inode:
      return "dax=inode";
  }
  return "dax=always";
}

}  // namespace

std::string dax_from_options(std::string const& options) {
  char* value = nullptr;
  std::size_t size = 0;
  if (mnt_optstr_get_option(options.c_str(), "dax", &value, &size) != 0) return "";
  if (value == nullptr || size == 0) return "always";  // bare "dax" means always
  return std::string(value, size);
}

Result<std::vector<MountEntry>> read_mount_table(std::string const& path) {
  MntTable table(mnt_new_table_from_file(path.c_str()));
  if (!table) return Fail(Errc::io_error, "cannot read " + path);
  MntIter iter(mnt_new_iter(MNT_ITER_FORWARD));
  if (!iter) return Fail(Errc::io_error, "cannot iterate the mount table: out of memory");
  std::vector<MountEntry> out;
  libmnt_fs* fs = nullptr;
  while (mnt_table_next_fs(table.get(), iter.get(), &fs) == 0) out.push_back(entry_from(fs));
  return out;
}

Result<std::vector<MountEntry>> LinuxFilesystems::list_mounts() {
  return read_mount_table("/proc/self/mountinfo");
}

Result<void> LinuxFilesystems::make_filesystem(std::string_view device, FsType type) {
  std::string const dev(device);
  struct stat st {};
  if (::stat(dev.c_str(), &st) != 0) return error_from_errno(errno, dev);
  // An exclusive open fails with EBUSY while the device is mounted or held by dm.
  UniqueFd fd(::open(dev.c_str(), O_RDONLY | O_EXCL | O_CLOEXEC));
  if (!fd.valid()) return error_from_errno(errno, dev + ": cannot make a filesystem");
  fd.reset();
  switch (type) {
    case FsType::ext4:
      return run_program({"mkfs.ext4", "-q", "-F", "-b", "4096", dev});
    case FsType::xfs:
      return run_program({"mkfs.xfs", "-q", "-f", "-m", "reflink=0", dev});
    case FsType::none:
      return Fail(Errc::invalid_argument, dev + ": no filesystem type given");
  }
  return Fail(Errc::internal, "unknown filesystem type");
}

namespace {

/// mount(2) of `dev` at `dir` (created if missing) with `flags` and fs `options`.
Result<void> mount_with(std::string const& dev, std::string const& dir, FsType type,
                        unsigned long flags, std::string const& options) {
  if (type == FsType::none) return Fail(Errc::invalid_argument, dev + ": no filesystem type given");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return error_from_errno(ec.value(), dir + ": cannot create the mountpoint");
  std::filesystem::permissions(dir, std::filesystem::perms(0755), ec);
  std::string const fstype(to_string(type));
  if (::mount(dev.c_str(), dir.c_str(), fstype.c_str(), flags, options.c_str()) != 0) {
    return error_from_errno(errno, dev + ": cannot mount at " + dir + " with " + options);
  }
  return Ok();
}

}  // namespace

Result<void> LinuxFilesystems::mount(std::string_view device, std::string_view target, FsType type,
                                     DaxMode dax) {
  return mount_with(std::string(device), std::string(target), type, 0, dax_option(dax));
}

// A point-in-time image of a mounted filesystem has a dirty journal/log and, for xfs, the
// origin's uuid: replaying is impossible read-only (norecovery/noload) and xfs refuses a
// duplicate uuid without nouuid. DAX never: snapshot devices are not DAX-capable, and a copy
// is read through the page cache like any read-only mount.
Result<void> LinuxFilesystems::mount_read_only(std::string_view device, std::string_view target,
                                               FsType type) {
  std::string options = "dax=never";
  switch (type) {
    case FsType::xfs:
      options = "nouuid,norecovery," + options;
      break;
    case FsType::ext4:
      options = "noload," + options;
      break;
    case FsType::none:
      break;
  }
  return mount_with(std::string(device), std::string(target), type, MS_RDONLY, options);
}

Result<void> LinuxFilesystems::unmount(std::string_view target) {
  std::string const dir(target);
  if (::umount2(dir.c_str(), 0) != 0) {
    int const err = errno;
    if (err == EINVAL) return Fail(Errc::not_found, dir + ": not mounted");
    return error_from_errno(err, dir + ": cannot unmount");
  }
  return Ok();
}

Result<void> LinuxFilesystems::freeze(std::string_view target) {
  return freeze_ioctl(std::string(target), FIFREEZE, "freeze");
}

Result<void> LinuxFilesystems::thaw(std::string_view target) {
  return freeze_ioctl(std::string(target), FITHAW, "thaw");
}

Result<std::string> LinuxFilesystems::probe_signature(std::string_view device) {
  std::string const dev(device);
  struct stat st {};
  if (::stat(dev.c_str(), &st) != 0) return error_from_errno(errno, dev);
  BlkidProbe probe(blkid_new_probe_from_filename(dev.c_str()));
  if (!probe) return error_from_errno(errno != 0 ? errno : EIO, dev + ": cannot probe");
  blkid_probe_enable_superblocks(probe.get(), 1);
  blkid_probe_set_superblocks_flags(probe.get(), BLKID_SUBLKS_TYPE);
  int const rc = blkid_do_safeprobe(probe.get());
  if (rc == 1) return std::string();
  if (rc == -2) return Fail(Errc::io_error, dev + ": ambiguous filesystem signatures");
  if (rc < 0) return Fail(Errc::io_error, dev + ": cannot probe for a signature");
  char const* value = nullptr;
  std::size_t len = 0;
  if (blkid_probe_lookup_value(probe.get(), "TYPE", &value, &len) != 0 || value == nullptr) {
    return std::string();
  }
  return std::string(value);
}

}  // namespace daxd::host::linux_impl
