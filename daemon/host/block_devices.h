// SPDX-License-Identifier: Apache-2.0
// Bulk copies between block devices: how a copy snapshot gets its data while the origin is frozen.
#pragma once

#include <cstdint>
#include <string_view>

#include "daemon/model/result.h"

namespace daxd::host {

/// What one copy did.
struct CopyStats {
  std::uint64_t bytes = 0;        // copied and made durable
  std::int64_t elapsed_ms = 0;    // from the first read to the last flush
};

class BlockDevices {
 public:
  virtual ~BlockDevices() = default;

  /// The first `length` bytes of block device `from` ("/dev/mapper/daxd-db") are on `to` and
  /// durable (flushed) when this returns. `length` is a multiple of 4096. Both devices are
  /// opened O_DIRECT, so the copy reads what the media hold, not a page cache. Errors:
  /// not_found, invalid_argument (a device is shorter than `length`, or `length` unaligned),
  /// io_error (a read, write or flush failed: `to` then holds a partial copy).
  virtual Result<CopyStats> copy(std::string_view from, std::string_view to,
                                 std::uint64_t length) = 0;

  /// The first `length` bytes (a multiple of 4096) of `device` are zero and durable: what a new
  /// dm-snapshot COW store needs, since the kernel reloads the exceptions of an old store and
  /// refuses a header that is neither zero nor its own (an xfs superblock). Errors: not_found,
  /// invalid_argument (shorter than `length`, or unaligned), io_error, unsupported.
  virtual Result<void> zero(std::string_view device, std::uint64_t length) {
    (void)device, (void)length;
    return Fail(Errc::unsupported, "this host cannot write block devices");
  }
};

}  // namespace daxd::host
