// SPDX-License-Identifier: Apache-2.0
// A point-in-time copy of a volume, made by one of daxd's snapshot methods.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/model/result.h"

namespace daxd {

enum class SnapshotMethod { cow, copy };

std::string_view to_string(SnapshotMethod m);
/// Errors: invalid_argument.
Result<SnapshotMethod> parse_snapshot_method(std::string_view text);

struct Snapshot {
  std::string name;
  std::string volume;
  SnapshotMethod method = SnapshotMethod::copy;
  std::uint64_t size = 0;       // bytes
  std::int64_t created_at = 0;  // unix seconds
  std::string dm_name;
  bool dax_capable = false;  // copy snapshots are DAX volumes of their own

  friend bool operator==(Snapshot const&, Snapshot const&) = default;
};

}  // namespace daxd
