// SPDX-License-Identifier: Apache-2.0
// How daxadm prints a quiesce hook: its API JSON with keys in a fixed order.
#pragma once

#include <nlohmann/json.hpp>

namespace daxd::cli {

/// {id, volume, name, kind, argv | url, timeout_ms}, keys absent from `hook` left out.
nlohmann::ordered_json hook_object(nlohmann::json const& hook);

}  // namespace daxd::cli
