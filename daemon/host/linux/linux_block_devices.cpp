// SPDX-License-Identifier: Apache-2.0
// Bulk copies with O_DIRECT: what the media hold goes to the target, flushed before returning.
// The copy runs in a few workers, each reading and writing every Nth chunk with its own buffer:
// one thread alone leaves the write idle while it reads, and the pmem driver's read (a
// machine-check-safe memcpy in the kernel) is the slow half. Measured in the QEMU TCG guest of
// bench/vm (2 vCPUs, host cores free): 2 workers copied 256 MiB at 496 MiB/s and 768 MiB at 452,
// one at 415 and 309; with the host's cores busy elsewhere the two were equal.
#include "daemon/host/linux/linux_block_devices.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "daemon/host/linux/ndctl_handles.h"

namespace daxd::host::linux_impl {
namespace {

constexpr std::uint64_t kAlign = 4096;  // O_DIRECT: buffer, offset and length aligned to this

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<char, FreeDeleter>;

/// Opens `path` with O_DIRECT. A regular file on a filesystem without O_DIRECT (tmpfs, for
/// tests) is opened without it; a device that refuses O_DIRECT is an error.
Result<UniqueFd> open_direct(std::string const& path, int flags) {
  UniqueFd fd(::open(path.c_str(), flags | O_DIRECT | O_CLOEXEC));
  if (fd.valid()) return fd;
  int const err = errno;
  if (err == EINVAL) {
    UniqueFd plain(::open(path.c_str(), flags | O_CLOEXEC));
    struct stat st {};
    if (plain.valid() && ::fstat(plain.get(), &st) == 0 && S_ISREG(st.st_mode)) return plain;
  }
  return error_from_errno(err, path + ": cannot open for a direct copy");
}

/// Bytes of the block device (BLKGETSIZE64) or regular file behind `fd`.
Result<std::uint64_t> size_of(int fd, std::string const& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return error_from_errno(errno, path + ": cannot stat");
  if (S_ISREG(st.st_mode)) return static_cast<std::uint64_t>(st.st_size);
  if (!S_ISBLK(st.st_mode)) return Fail(Errc::invalid_argument, path + ": not a block device");
  std::uint64_t bytes = 0;
  if (::ioctl(fd, BLKGETSIZE64, &bytes) != 0) {
    return error_from_errno(errno, path + ": cannot read the device size");
  }
  return bytes;
}

/// Exactly `len` bytes at `offset`, retrying short reads and EINTR.
Result<void> read_full(int fd, std::string const& path, char* buf, std::size_t len,
                       std::uint64_t offset) {
  std::size_t done = 0;
  while (done < len) {
    ssize_t const n = ::pread(fd, buf + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = error_from_errno(errno, path + ": read at offset " + std::to_string(offset + done));
      e.code = Errc::io_error;
      return e;
    }
    if (n == 0) {
      return Fail(Errc::io_error,
                  path + ": unexpected end of device at offset " + std::to_string(offset + done));
    }
    done += static_cast<std::size_t>(n);
  }
  return Ok();
}

Result<void> write_full(int fd, std::string const& path, char const* buf, std::size_t len,
                        std::uint64_t offset) {
  std::size_t done = 0;
  while (done < len) {
    ssize_t const n = ::pwrite(fd, buf + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int const err = n < 0 ? errno : ENOSPC;
      Error e = error_from_errno(err, path + ": write at offset " + std::to_string(offset + done));
      e.code = Errc::io_error;
      return e;
    }
    done += static_cast<std::size_t>(n);
  }
  return Ok();
}

Result<void> flush(int fd, std::string const& path) {
  // O_DIRECT bypasses the page cache, not the device's volatile caches: flush them.
  if (::fdatasync(fd) == 0) return Ok();
  Error e = error_from_errno(errno, path + ": cannot flush");
  e.code = Errc::io_error;
  return e;
}

Result<AlignedBuffer> aligned_buffer(std::size_t bytes, std::string const& path) {
  AlignedBuffer buf(static_cast<char*>(std::aligned_alloc(kAlign, bytes)));
  if (!buf) return Fail(Errc::io_error, path + ": cannot allocate an I/O buffer");
  return buf;
}

Result<void> check_length(std::string const& what, std::uint64_t length) {
  if (length % kAlign == 0) return Ok();
  return Fail(Errc::invalid_argument, what + ": " + std::to_string(length) +
                                          " bytes is not a multiple of 4096");
}

Result<void> check_size(int fd, std::string const& path, std::uint64_t length) {
  DAXD_ASSIGN_OR_RETURN(std::uint64_t const size, size_of(fd, path));
  if (size >= length) return Ok();
  return Fail(Errc::invalid_argument, path + ": " + std::to_string(size) +
                                          " bytes, shorter than the " + std::to_string(length) +
                                          " to write");
}

}  // namespace

LinuxBlockDevices::LinuxBlockDevices(Clock& clock, std::size_t buffer_bytes, unsigned workers)
    : clock_(clock),
      buffer_bytes_(std::max<std::size_t>(kAlign, buffer_bytes / kAlign * kAlign)),
      workers_(std::max(1U, workers)) {}

Result<CopyStats> LinuxBlockDevices::copy(std::string_view from_view, std::string_view to_view,
                                          std::uint64_t length) {
  std::string const from(from_view);
  std::string const to(to_view);
  DAXD_TRY(check_length(from + " -> " + to + ": cannot copy", length));
  DAXD_ASSIGN_OR_RETURN(UniqueFd in, open_direct(from, O_RDONLY));
  DAXD_ASSIGN_OR_RETURN(UniqueFd out, open_direct(to, O_WRONLY));
  DAXD_TRY(check_size(in.get(), from, length));
  DAXD_TRY(check_size(out.get(), to, length));
  std::size_t const chunk =
      static_cast<std::size_t>(std::min<std::uint64_t>(buffer_bytes_, std::max(length, kAlign)));
  std::uint64_t const chunks = (length + chunk - 1) / chunk;
  auto const workers = static_cast<unsigned>(std::min<std::uint64_t>(workers_, chunks));
  std::vector<AlignedBuffer> buffers;
  for (unsigned w = 0; w < workers; ++w) {
    DAXD_ASSIGN_OR_RETURN(AlignedBuffer buf, aligned_buffer(chunk, from));
    buffers.push_back(std::move(buf));
  }

  // Worker w copies chunks w, w + workers, ...; the first error stops them all.
  std::mutex mutex;
  std::optional<Error> failed;
  auto const stopped = [&] {
    std::lock_guard const lock(mutex);
    return failed.has_value();
  };
  auto const work = [&](unsigned w) {
    char* const buf = buffers[w].get();
    for (std::uint64_t i = w; i < chunks && !stopped(); i += workers) {
      std::uint64_t const offset = i * chunk;
      auto const n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, length - offset));
      auto done = read_full(in.get(), from, buf, n, offset);
      if (done) done = write_full(out.get(), to, buf, n, offset);
      if (!done) {
        std::lock_guard const lock(mutex);
        if (!failed) failed = std::move(done.error());
        return;
      }
    }
  };

  auto const start = clock_.now_steady();
  {
    std::vector<std::jthread> threads;
    std::vector<unsigned> here{0};  // worker 0, and any whose thread could not start
    for (unsigned w = 1; w < workers; ++w) {
      try {
        threads.emplace_back(work, w);
      } catch (std::system_error const&) {
        here.push_back(w);
      }
    }
    for (unsigned const w : here) work(w);
  }  // joined: every write has returned
  if (failed) return std::move(*failed);
  DAXD_TRY(flush(out.get(), to));
  auto const elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      clock_.now_steady() - start);
  return CopyStats{length, elapsed.count()};
}

Result<void> LinuxBlockDevices::zero(std::string_view device_view, std::uint64_t length) {
  std::string const device(device_view);
  DAXD_TRY(check_length(device + ": cannot zero", length));
  DAXD_ASSIGN_OR_RETURN(UniqueFd out, open_direct(device, O_WRONLY));
  DAXD_TRY(check_size(out.get(), device, length));
  std::size_t const chunk =
      static_cast<std::size_t>(std::min<std::uint64_t>(buffer_bytes_, std::max(length, kAlign)));
  DAXD_ASSIGN_OR_RETURN(AlignedBuffer buf, aligned_buffer(chunk, device));
  std::memset(buf.get(), 0, chunk);
  for (std::uint64_t offset = 0; offset < length;) {
    auto const n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, length - offset));
    DAXD_TRY(write_full(out.get(), device, buf.get(), n, offset));
    offset += n;
  }
  return flush(out.get(), device);
}

}  // namespace daxd::host::linux_impl
