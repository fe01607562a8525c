// SPDX-License-Identifier: Apache-2.0
// Start-up reconcile of volumes that have snapshots: the snapshot stacks and read-only mounts.
#pragma once

#include <chrono>

#include "daemon/host/host.h"
#include "daemon/model/result.h"
#include "daemon/model/volume.h"
#include "daemon/orchestrator/events.h"
#include "daemon/orchestrator/orchestrator.h"
#include "daemon/orchestrator/reconcile.h"
#include "state/desired_state.h"

namespace daxd::orchestrator {

inline constexpr char kReconcileSnapshots[] = "reconcile-snapshots";

/// Registers "reconcile-snapshots" {name, volume: stored spec, snapshots: [specs]}. With cow
/// snapshots: daxd-VOL+real (the volume's table), each daxd-VOL@SNAP+cow and daxd-VOL@SNAP
/// (persistent stores: the snapshots show what they showed), then daxd-VOL as snapshot-origin,
/// mounted with dax=never. Without: daxd-VOL with its DAX-capable table, mounted with its dax
/// mode. Then each copy snapshot's DAX-capable linear device, and every read-only mount. Every
/// step leaves what is in place; the first is a commit point (a failing mount leaves devices).
void register_snapshot_reconcile_operation(Orchestrator& o);

/// For a desired volume `v` (as build_volume_view shows it) that has snapshots: when a device
/// of its stack or a mount is missing, runs reconcile-snapshots (waiting up to `timeout`),
/// publishes "volume-reconciled" {volume, operation, state, actions} and counts it in `report`.
/// Returns false when `v` has no snapshots (reconcile_volumes handles it as before). A volume
/// with cow snapshots is never re-created as a DAX linear device. Errors: state and host lists.
Result<bool> reconcile_volume_snapshots(Orchestrator& o, host::Host& host,
                                        state::DesiredState& desired, EventSink& events,
                                        Volume const& v, std::chrono::milliseconds timeout,
                                        ReconcileReport& report);

}  // namespace daxd::orchestrator
