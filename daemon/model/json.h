// SPDX-License-Identifier: Apache-2.0
// JSON forms of the model in ndctl's shape: snake_case keys, sizes in bytes, absent keys omitted.
#pragma once

#include <nlohmann/json.hpp>

#include "daemon/model/consumer.h"
#include "daemon/model/device.h"
#include "daemon/model/error.h"
#include "daemon/model/namespace.h"
#include "daemon/model/operation.h"
#include "daemon/model/region.h"
#include "daemon/model/snapshot.h"
#include "daemon/model/volume.h"

namespace daxd {

void to_json(nlohmann::json& j, Region const& r);
void to_json(nlohmann::json& j, Namespace const& n);
void to_json(nlohmann::json& j, Extent const& e);
void to_json(nlohmann::json& j, Volume const& v);
void to_json(nlohmann::json& j, Snapshot const& s);
void to_json(nlohmann::json& j, Consumer const& c);
void to_json(nlohmann::json& j, StepRecord const& s);
void to_json(nlohmann::json& j, Operation const& o);
void to_json(nlohmann::json& j, DmTarget const& t);
void to_json(nlohmann::json& j, DmDevice const& d);
void to_json(nlohmann::json& j, MountEntry const& m);

/// Inverse of to_json for what daxd reads back (sim fixtures, state): tolerant of missing keys,
/// strict about types. Errors: invalid_argument naming the key.
Result<Region> region_from_json(nlohmann::json const& j);
Result<Namespace> namespace_from_json(nlohmann::json const& j);
Result<Volume> volume_from_json(nlohmann::json const& j);

}  // namespace daxd
