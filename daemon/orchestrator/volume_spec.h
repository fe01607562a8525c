// SPDX-License-Identifier: Apache-2.0
// Volume requests and specs: validation, extents resolved against namespaces, dm tables, storage.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/host/host.h"
#include "daemon/model/device.h"
#include "daemon/model/result.h"
#include "daemon/model/volume.h"
#include "state/desired_state.h"

namespace daxd::orchestrator {

/// Extents start and end on 2 MiB so that DAX can use huge pages.
inline constexpr std::uint64_t kExtentAlign = 2ULL << 20;
inline constexpr std::uint64_t kDefaultStripe = 2ULL << 20;

/// Validates a create request {name, layout?: linear|striped, namespaces: [names] or
/// extents: [{namespace, offset?, length?}], stripe_size?, filesystem?: ext4|xfs|none (ext4),
/// mountpoint?, dax?: always|never|inode, force?} against the host's namespaces (fsdax only) and
/// returns {"volume": spec, "force": bool} with every extent explicit in bytes.
/// Errors: invalid_argument, not_found (namespace).
Result<nlohmann::json> normalise_create_volume(host::Host& host, nlohmann::json const& body);

/// The volume as stored in desired state: the spec without live fields (state, blockdev).
nlohmann::json volume_spec(Volume const& v);

/// The volume spec at `key` of a normalised request. Errors: invalid_argument.
Result<Volume> request_volume(nlohmann::json const& r, char const* key = "volume");

/// The desired volume `name`. Errors: not_found, invalid_argument (unreadable spec), io_error.
Result<Volume> desired_volume(state::DesiredState& desired, std::string const& name);

/// Extents of `body["extents"]` or `body["namespaces"]` resolved on the host: whole namespaces
/// (rounded down to kExtentAlign), or explicit ranges checked to fit. Striped layouts get equal
/// lengths, multiples of `stripe`. Errors: invalid_argument, not_found.
Result<std::vector<Extent>> resolve_extents(host::Host& host, nlohmann::json const& body,
                                            VolumeLayout layout, std::uint64_t stripe);

/// The dm table of `v` built from the namespaces as they are now (devices as MAJ:MIN, as the
/// kernel prints them back). Errors: not_found, invalid_argument (a namespace is not fsdax).
Result<std::vector<DmTarget>> volume_table(host::Host& host, Volume const& v);

/// "/dev/mapper/daxd-NAME".
std::string volume_node(Volume const& v);
/// The dm uuid daxd gives a volume: "DAXD-NAME".
std::string volume_uuid(Volume const& v);

/// The dm device or mount, if any, read fresh. Errors: the host's.
Result<std::optional<DmDevice>> find_dm(host::Host& host, std::string const& dm_name);
Result<std::optional<MountEntry>> find_mount(host::Host& host, std::string const& target);

/// Reads an optional string or unsigned field. Errors: invalid_argument (wrong type).
Result<std::string> optional_string(nlohmann::json const& body, char const* key,
                                    std::string fallback);
Result<std::uint64_t> optional_size(nlohmann::json const& body, char const* key,
                                    std::uint64_t fallback);

}  // namespace daxd::orchestrator
