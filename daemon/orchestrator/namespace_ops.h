// SPDX-License-Identifier: Apache-2.0
// Namespace lifecycle through the engine: create, destroy, reconfigure.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/host/host.h"
#include "daemon/model/namespace.h"
#include "daemon/model/result.h"
#include "daemon/orchestrator/orchestrator.h"

namespace daxd::orchestrator {

inline constexpr char kCreateNamespace[] = "create-namespace";
inline constexpr char kDestroyNamespace[] = "destroy-namespace";
inline constexpr char kReconfigureNamespace[] = "reconfigure-namespace";

/// Registers the three namespace operation types.
void register_namespace_operations(Orchestrator& orchestrator);

/// Validates a create request {name, region, size ("1G" or bytes), mode, align?} and returns it
/// normalised (size and align in bytes, mode canonical). Errors: invalid_argument.
Result<nlohmann::json> normalise_create_namespace(nlohmann::json const& body);

/// CSI-style idempotency: the namespace already made by an identical request, nullopt when no
/// namespace has that name. Errors: already_exists when one exists with a different spec.
Result<std::optional<Namespace>> existing_namespace(host::Host& host,
                                                    nlohmann::json const& create_request);

/// Validates a destroy {force?, policy?} or reconfigure {mode, force?, policy?} request for the
/// namespace `name` and returns it normalised with the namespace's region (for its lock).
/// Errors: invalid_argument, not_found.
Result<nlohmann::json> normalise_namespace_change(host::Host& host, std::string const& type,
                                                  std::string const& name,
                                                  nlohmann::json const& body);

/// The namespace whose label name (or kernel dev name) is `name`, read fresh from the host.
/// Errors: not_found, the host's.
Result<Namespace> find_namespace(host::Host& host, std::string const& name);

}  // namespace daxd::orchestrator
