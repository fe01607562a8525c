// SPDX-License-Identifier: Apache-2.0
// The snapshot events (snapshot-created, -deleted, -restored) derived from the operation events
// of finished snapshot operations: the engine publishes operation events only.
#pragma once

#include <optional>

#include "daemon/model/operation.h"
#include "daemon/orchestrator/events.h"

namespace daxd::api {

/// True for an "operation" event whose data is a completed create-, destroy- or
/// restore-snapshot operation (with its integer "id"): the events a snapshot event follows.
bool announces_snapshot_change(orchestrator::Event const& event);

/// The snapshot event of a completed snapshot operation as the journal holds it (with its
/// request): type "snapshot-created" / "snapshot-deleted" / "snapshot-restored", object
/// "snapshot/VOLUME@NAME", data {volume, snapshot, method, operation, stopped_ms, frozen_ms}
/// (method "" when the request does not say). nullopt for any other operation or state.
std::optional<orchestrator::Event> snapshot_event(Operation const& op);

}  // namespace daxd::api
