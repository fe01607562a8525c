// SPDX-License-Identifier: Apache-2.0
// Volume operations through the engine: create, destroy, grow, and the DAX mode change.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/host/host.h"
#include "daemon/model/result.h"
#include "daemon/model/volume.h"
#include "daemon/orchestrator/hooks.h"
#include "daemon/orchestrator/orchestrator.h"
#include "state/desired_state.h"
#include "state/journal.h"

namespace daxd::orchestrator {

inline constexpr char kCreateVolume[] = "create-volume";
inline constexpr char kDestroyVolume[] = "destroy-volume";
inline constexpr char kGrowVolume[] = "grow-volume";
inline constexpr char kSetDax[] = "set-dax";

/// Registers the four volume operation types, and makes destroy-namespace and
/// reconfigure-namespace refuse a namespace that a desired volume uses (a `holder` blocker).
/// Call after register_namespace_operations. `desired` and `journal` must outlive `o`.
/// With `hooks` (outliving `o`), quiesce steps call the volume's hooks and set-dax ends with a
/// resume-hooks step; the plans then have that step whenever daxd runs with hooks wired.
void register_volume_operations(Orchestrator& o, state::DesiredState& desired,
                                state::Journal& journal, Hooks* hooks = nullptr);

/// CSI-style idempotency for a normalised create request: the desired volume made by an
/// identical request, nullopt when there is no volume of that name. The create operation itself
/// refuses an existing name (running it again would make a new filesystem over the data).
/// Errors: already_exists (a different spec), invalid_argument, io_error.
Result<std::optional<Volume>> existing_volume(state::DesiredState& desired,
                                              nlohmann::json const& create_request);

/// Validates {policy?: refuse|wait|terminate, deadline_ms?} for destroy-volume of the desired
/// volume `name`; returns it normalised with the volume's spec.
/// Errors: invalid_argument, not_found, io_error.
Result<nlohmann::json> normalise_destroy_volume(state::DesiredState& desired,
                                                std::string const& name,
                                                nlohmann::json const& body);

/// Validates {dax: always|never|inode, policy?, deadline_ms?} for set-dax of volume `name`;
/// returns it normalised with the volume's current spec (the mode to go back to).
/// Errors: invalid_argument (also: the volume has no filesystem or mountpoint), not_found.
Result<nlohmann::json> normalise_set_dax(state::DesiredState& desired, std::string const& name,
                                         nlohmann::json const& body);

/// Validates {namespaces: [...] | extents: [...]} to append to the linear volume `name`;
/// returns {name, volume: current spec, grown: spec with the extents appended}.
/// The filesystem is not grown (resize2fs/xfs_growfs come later). Errors: invalid_argument,
/// not_found, unsupported (striped).
Result<nlohmann::json> normalise_grow_volume(host::Host& host, state::DesiredState& desired,
                                             std::string const& name, nlohmann::json const& body);

namespace detail {
/// The set-dax operation type (set_dax.cpp).
OperationType set_dax_type(state::DesiredState& desired, state::Journal& journal,
                           Hooks* hooks = nullptr);
/// Quiesce options of a normalised request: {policy, deadline_ms}.
Result<void> normalise_quiesce(nlohmann::json const& body, nlohmann::json& out);
}  // namespace detail

}  // namespace daxd::orchestrator
