// SPDX-License-Identifier: Apache-2.0
// Validation of snapshot requests: the store, the method auto picks, what blocks a copy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/host/host.h"
#include "daemon/model/consumer.h"
#include "daemon/model/result.h"
#include "daemon/model/snapshot.h"
#include "state/desired_state.h"

namespace daxd::orchestrator::detail {

/// A COW store smaller than this fills after a few writes and invalidates the snapshot.
inline constexpr std::uint64_t kMinCowStore = 16ULL << 20;
/// The copy bandwidth assumed until a copy has been measured: 2 GiB/s.
inline constexpr std::uint64_t kDefaultCopyBandwidth = 2ULL << 30;
/// The expected stop of a first cow snapshot (unmount, four tables, mount) and of a further one
/// (the origin suspended while one table is added): estimates for plans, not promises.
inline constexpr std::int64_t kCowFirstStopMs = 200;
inline constexpr std::int64_t kCowNextStopMs = 20;

/// The cow snapshots among `all`.
std::vector<Snapshot> cow_only(std::vector<Snapshot> const& all);

/// The consumers of the origin that forbid a copy: processes with a MAP_SYNC mapping. A
/// MAP_SYNC fault leaves no dirty page-cache entry, so FIFREEZE cannot write-protect the page
/// and stores reach the media under the copy. Plain DAX mappings are allowed: FIFREEZE
/// write-protects the pages the kernel tracks as dirty, so their stores wait for the thaw.
/// The one place that rule lives (the VM tier's proof may tighten it).
std::vector<Consumer> copy_blockers(std::vector<Consumer> const& all);

/// normalise_create_snapshot (snapshot_ops.h): the request with the method decided, the store's
/// extents explicit, and {requested_method, cow_stack (the volume had a cow snapshot then),
/// method_reason, expected_stop_ms, expected_frozen_ms, policy, deadline_ms}.
Result<nlohmann::json> normalise_create(host::Host& host, state::DesiredState& desired,
                                        std::string const& volume, nlohmann::json const& body);

/// The store of `s` shares no byte with any desired volume or other snapshot, nor with itself.
/// Errors: invalid_argument naming the owner, io_error.
Result<void> require_free_store(state::DesiredState& desired, Snapshot const& s);

}  // namespace daxd::orchestrator::detail
