// SPDX-License-Identifier: Apache-2.0
// Start-up reconcile: desired volumes come back after a reboot (tables re-created, re-mounted).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "daemon/host/host.h"
#include "daemon/model/result.h"
#include "daemon/orchestrator/events.h"
#include "daemon/orchestrator/orchestrator.h"
#include "state/desired_state.h"

namespace daxd::orchestrator {

inline constexpr char kReconcileVolume[] = "reconcile-volume";

/// Registers "reconcile-volume" {name, volume: spec}: create-dm (the whole DAX-capable table in
/// one load, never a non-DAX table first; a commit point, so that a failing mount leaves the
/// volume unmounted instead of removing its device again), then mount with the desired dax mode
/// when the volume has a filesystem and a mountpoint. Both steps are idempotent: a device or
/// mount already in place is left as it is. Call before Orchestrator::recover().
void register_reconcile_operation(Orchestrator& o);

struct ReconcileReport {
  int restored = 0;   // volumes brought back (operation completed)
  int failed = 0;     // volumes left failed or whose reconcile did not complete
  int unchanged = 0;  // volumes that needed nothing
  std::vector<std::string> messages;
};

/// For each desired volume: when a namespace it is built on is gone (or not an enabled fsdax
/// namespace) or its table refers to a vanished device, it stays failed and a "volume-failed"
/// event {volume, reason, device} is published; when its dm device is missing, or its
/// filesystem is not mounted at its mountpoint, a reconcile-volume operation runs (journaled,
/// crash-safe) and a "volume-reconciled" event {volume, operation, state, actions} follows.
/// Runs the operations one at a time, waiting up to `per_volume` for each. Call after
/// recover() and before serving. Errors: those of the desired state and of the host's lists.
Result<ReconcileReport> reconcile_volumes(
    Orchestrator& o, host::Host& host, state::DesiredState& desired, EventSink& events,
    std::chrono::milliseconds per_volume = std::chrono::seconds(120));

}  // namespace daxd::orchestrator
