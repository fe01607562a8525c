// SPDX-License-Identifier: Apache-2.0
// Per-file DAX on the real kernel: openat2(RESOLVE_BENEATH), FS_IOC_FS[GS]ETXATTR, statx, and
// vm.drop_caches as the eviction fallback of Documentation/filesystems/dax.rst.
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "daemon/host/linux/linux_filesystems.h"
#include "daemon/host/linux/ndctl_handles.h"

namespace daxd::host::linux_impl {
namespace {

std::string shown(std::string_view root, std::string_view path) {
  std::string out(root);
  if (!path.empty() && path != ".") out += (out.ends_with('/') ? "" : "/") + std::string(path);
  return out;
}

/// Resolves `path` beneath the mount at `root` to an O_PATH fd: the kernel refuses "..",
/// absolute or escaping symlinks (EXDEV) and crossing into another mount.
Result<UniqueFd> path_beneath(std::string_view root, std::string_view path) {
  std::string const dir(root);
  UniqueFd root_fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) return error_from_errno(errno, dir);
  std::string rel(path.empty() ? "." : path);
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS;
  long const fd = ::syscall(SYS_openat2, root_fd.get(), rel.c_str(), &how, sizeof how);
  if (fd < 0) {
    int const err = errno;
    if (err == EXDEV) {
      return Fail(Errc::invalid_argument, shown(root, path) + ": leaves the filesystem at " + dir);
    }
    if (err == ELOOP) return Fail(Errc::invalid_argument, shown(root, path) + ": symlink loop");
    if (err == ENOTDIR)
      return Fail(Errc::invalid_argument, shown(root, path) + ": not a directory");
    if (err == ENOSYS) return Fail(Errc::unsupported, "openat2: not supported by this kernel");
    return error_from_errno(err, shown(root, path));
  }
  return UniqueFd(static_cast<int>(fd));
}

/// The file or directory at `path` beneath `root`, opened for the ioctls. Only regular files
/// and directories are opened: opening a device node or FIFO found there could have effects.
Result<UniqueFd> open_beneath(std::string_view root, std::string_view path) {
  DAXD_ASSIGN_OR_RETURN(UniqueFd const at, path_beneath(root, path));
  struct statx sx {};
  if (::statx(at.get(), "", AT_EMPTY_PATH, STATX_TYPE, &sx) != 0) {
    return error_from_errno(errno, shown(root, path) + ": statx");
  }
  if (!S_ISDIR(sx.stx_mode) && !S_ISREG(sx.stx_mode)) {
    return Fail(Errc::invalid_argument,
                shown(root, path) + ": neither a regular file nor a directory");
  }
  // Re-opening our own O_PATH fd reaches the very inode resolved above (no second walk).
  std::string const self = "/proc/self/fd/" + std::to_string(at.get());
  UniqueFd fd(::open(self.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) return error_from_errno(errno, shown(root, path));
  return fd;
}

std::string fd_path(int fd, std::string fallback) {
  std::string buf(4096, '\0');
  std::string const link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t const n = ::readlink(link.c_str(), buf.data(), buf.size());
  if (n <= 0) return fallback;
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

Result<FileDaxState> state_of(int fd, std::string const& where) {
  struct statx sx {};
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_INO, &sx) != 0) {
    return error_from_errno(errno, where + ": statx");
  }
  bool const dir = S_ISDIR(sx.stx_mode);
  if (!dir && !S_ISREG(sx.stx_mode)) {
    return Fail(Errc::invalid_argument, where + ": neither a regular file nor a directory");
  }
  if ((sx.stx_attributes_mask & STATX_ATTR_DAX) == 0) {
    return Fail(Errc::unsupported, where + ": statx does not report STATX_ATTR_DAX here");
  }
  fsxattr fa{};
  if (::ioctl(fd, FS_IOC_FSGETXATTR, &fa) != 0) {
    int const err = errno;
    if (err == ENOTTY || err == EOPNOTSUPP) {
      return Fail(Errc::unsupported, where + ": the filesystem has no FS_XFLAG_DAX");
    }
    return error_from_errno(err, where + ": FS_IOC_FSGETXATTR");
  }
  FileDaxState out;
  out.path = fd_path(fd, where);
  out.directory = dir;
  out.dax_flag = (fa.fsx_xflags & FS_XFLAG_DAX) != 0;
  out.effective_dax = (sx.stx_attributes & STATX_ATTR_DAX) != 0;
  out.dev = DevNumber{sx.stx_dev_major, sx.stx_dev_minor};
  out.inode = sx.stx_ino;
  return out;
}

}  // namespace

Result<FileDaxState> LinuxFilesystems::file_dax_state(std::string_view root,
                                                      std::string_view path) {
  DAXD_ASSIGN_OR_RETURN(UniqueFd const fd, open_beneath(root, path));
  return state_of(fd.get(), shown(root, path));
}

Result<void> LinuxFilesystems::set_file_dax(std::string_view root, std::string_view path, bool on) {
  std::string const where = shown(root, path);
  DAXD_ASSIGN_OR_RETURN(UniqueFd const fd, open_beneath(root, path));
  DAXD_TRY(state_of(fd.get(), where));
  fsxattr fa{};
  if (::ioctl(fd.get(), FS_IOC_FSGETXATTR, &fa) != 0) {
    return error_from_errno(errno, where + ": FS_IOC_FSGETXATTR");
  }
  bool const now = (fa.fsx_xflags & FS_XFLAG_DAX) != 0;
  if (now == on) return Ok();
  constexpr auto kDax = static_cast<decltype(fa.fsx_xflags)>(FS_XFLAG_DAX);
  fa.fsx_xflags = on ? (fa.fsx_xflags | kDax) : (fa.fsx_xflags & ~kDax);
  if (::ioctl(fd.get(), FS_IOC_FSSETXATTR, &fa) != 0) {
    int const err = errno;
    if (err == ENOTTY || err == EOPNOTSUPP) {
      return Fail(Errc::unsupported, where + ": the filesystem cannot set FS_XFLAG_DAX");
    }
    return error_from_errno(err, where + ": cannot " + (on ? "set" : "clear") + " FS_XFLAG_DAX");
  }
  return Ok();  // closing fd drops our reference: a "don't cache" inode without users goes now
}

Result<void> LinuxFilesystems::evict_inodes(std::string_view root) {
  std::string const dir(root);
  UniqueFd root_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) return error_from_errno(errno, dir);
  // drop_caches frees only clean inodes: write this filesystem's dirty ones first.
  if (::syncfs(root_fd.get()) != 0) return error_from_errno(errno, dir + ": syncfs");
  UniqueFd knob(::open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC));
  if (!knob.valid()) return error_from_errno(errno, "/proc/sys/vm/drop_caches");
  if (::write(knob.get(), "2", 1) != 1) {
    return error_from_errno(errno, "/proc/sys/vm/drop_caches: cannot write 2");
  }
  return Ok();
}

}  // namespace daxd::host::linux_impl
