// SPDX-License-Identifier: Apache-2.0
// The inventory's volumes: desired specs joined with the dm devices and mounts the host shows.
#pragma once

#include <vector>

#include "daemon/host/host.h"
#include "daemon/model/device.h"
#include "daemon/model/namespace.h"
#include "daemon/model/result.h"
#include "daemon/model/volume.h"
#include "state/desired_state.h"

namespace daxd::orchestrator {

/// Each desired volume as it is now, by name. state: failed when its dm device is missing;
/// degraded when the device is suspended, carries an error target, or is mounted with another
/// dax mode than desired; unmounted when it has a mountpoint with nothing of its own mounted
/// there; active otherwise. blockdev is "dm-N" and dax_capable the device's DAX capability
/// (both empty/false when the device is missing). Pure.
std::vector<Volume> build_volume_view(std::vector<Volume> const& desired,
                                      std::vector<DmDevice> const& dm_devices,
                                      std::vector<MountEntry> const& mounts);

/// As above, and also failed when a namespace of the volume is gone (or no longer an enabled
/// fsdax namespace) or its dm table refers to a device that no longer exists (a namespace
/// unplugged or re-enabled under another minor). Failed and degraded volumes carry a `reason`.
/// Pure.
std::vector<Volume> build_volume_view(std::vector<Volume> const& desired,
                                      std::vector<DmDevice> const& dm_devices,
                                      std::vector<MountEntry> const& mounts,
                                      std::vector<Namespace> const& namespaces);

/// Every desired volume's spec. Errors: io_error, invalid_argument (an unreadable spec).
Result<std::vector<Volume>> desired_volumes(state::DesiredState& desired);

/// build_volume_view (with namespaces) over the desired state and the host as they are now:
/// what main passes to Inventory::set_volumes after each operation. Errors: those of the state
/// and the host.
Result<std::vector<Volume>> current_volumes(host::Host& host, state::DesiredState& desired);

}  // namespace daxd::orchestrator
