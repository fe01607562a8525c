// SPDX-License-Identifier: Apache-2.0
// host::BlockDevices for the real kernel: O_DIRECT pread/pwrite through aligned buffers.
#pragma once

#include <cstddef>

#include "daemon/host/block_devices.h"
#include "daemon/host/clock.h"

namespace daxd::host::linux_impl {

class LinuxBlockDevices final : public BlockDevices {
 public:
  /// `clock` times the copy (CopyStats::elapsed_ms); `buffer_bytes` is the size of each
  /// read/write (a multiple of 4096); a copy runs in `workers` threads, each with its own
  /// buffer, reading and writing every workers-th chunk (zero writes from one).
  explicit LinuxBlockDevices(Clock& clock, std::size_t buffer_bytes = kDefaultBuffer,
                             unsigned workers = kDefaultWorkers);

  Result<CopyStats> copy(std::string_view from, std::string_view to,
                         std::uint64_t length) override;
  Result<void> zero(std::string_view device, std::uint64_t length) override;

  static constexpr std::size_t kDefaultBuffer = 8U << 20;  // 8 MiB per I/O
  static constexpr unsigned kDefaultWorkers = 2;

 private:
  Clock& clock_;
  std::size_t buffer_bytes_;
  unsigned workers_;
};

}  // namespace daxd::host::linux_impl
