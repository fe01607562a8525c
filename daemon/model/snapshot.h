// SPDX-License-Identifier: Apache-2.0
// A point-in-time copy of a volume, made by one of daxd's snapshot methods.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/model/result.h"
#include "daemon/model/volume.h"

namespace daxd {

enum class SnapshotMethod { cow, copy };

std::string_view to_string(SnapshotMethod m);
/// Errors: invalid_argument.
Result<SnapshotMethod> parse_snapshot_method(std::string_view text);

struct Snapshot {
  std::string name;
  std::string volume;
  SnapshotMethod method = SnapshotMethod::copy;
  std::uint64_t size = 0;       // bytes of the volume image the snapshot shows
  std::int64_t created_at = 0;  // unix seconds
  std::string dm_name;          // "daxd-db@nightly"
  bool dax_capable = false;     // copy snapshots are DAX volumes of their own
  // Where the snapshot's own data live: the copy (method copy) or the COW exception store
  // (method cow). Whole 2 MiB-aligned extents of fsdax namespaces, like a volume's.
  std::vector<Extent> extents;
  std::uint64_t store_size = 0;   // bytes of `extents`
  std::string mountpoint;         // a read-only mount made by daxd, empty when none
  std::int64_t operation_id = 0;  // the operation that made it
  std::int64_t stopped_ms = -1;   // how long the world stopped to make it (-1: unknown)
  std::int64_t frozen_ms = -1;    // how long the origin was frozen (copy; -1: not frozen)
  std::string state = "active";   // "active", "merging" (a cow restore under way), "failed"

  friend bool operator==(Snapshot const&, Snapshot const&) = default;
};

/// dm names: a snapshot device "daxd-VOL@SNAP", its COW store "daxd-VOL@SNAP+cow", and the origin's
/// real device while it has cow snapshots "daxd-VOL+real". '@' and '+' never occur in names.
std::string snapshot_dm_name(std::string_view volume, std::string_view snapshot);
std::string snapshot_cow_dm_name(std::string_view volume, std::string_view snapshot);
std::string origin_real_dm_name(std::string_view volume);

}  // namespace daxd
