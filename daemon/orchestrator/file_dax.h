// SPDX-License-Identifier: Apache-2.0
// set-file-dax: FS_XFLAG_DAX of one file or directory of a volume, made to take effect (the
// inode evicted, checked by statx) under dax=inode (Documentation/filesystems/dax.rst).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "daemon/host/host.h"
#include "daemon/model/result.h"
#include "daemon/model/volume.h"
#include "daemon/orchestrator/orchestrator.h"
#include "state/desired_state.h"

namespace daxd::orchestrator {

inline constexpr char kSetFileDax[] = "set-file-dax";

/// Registers the set-file-dax operation type (lock "volume/NAME"). Call after
/// register_volume_operations. `desired` must outlive `o`.
void register_file_dax_operations(Orchestrator& o, state::DesiredState& desired);

/// `path` relative to the volume's mountpoint ("." for the mountpoint itself): an absolute path
/// must lie inside the mountpoint; no ".." component anywhere. Symlinks are resolved later,
/// beneath the mountpoint, by the host. Errors: invalid_argument.
Result<std::string> volume_relative_path(Volume const& v, std::string const& path);

/// {volume, path (absolute), dax_flag, effective_dax, directory?, note?} of `path` in volume
/// `v`, read fresh. The note says when the flag cannot decide the mode (the mount is not
/// dax=inode; directories). Errors: conflict (the volume is not mounted by daxd),
/// invalid_argument (path), not_found, unsupported, the host's.
Result<nlohmann::json> file_dax_json(host::Host& host, Volume const& v, std::string const& path);

/// Validates {path, dax: true|false, policy?: refuse|terminate, deadline_ms?} for the desired
/// volume `name` and returns {name, volume: spec, path: relative, dax, directory, mount_dax,
/// was: the flag now, policy, deadline_ms}. Errors: invalid_argument, not_found, conflict (not
/// mounted by daxd), unsupported, the host's.
Result<nlohmann::json> normalise_set_file_dax(host::Host& host, state::DesiredState& desired,
                                              std::string const& name, nlohmann::json const& body);

/// Whether running the normalised request changes anything now: the flag differs, or (under
/// dax=inode, for a file) the mode in effect differs. Errors: the host's.
Result<bool> set_file_dax_changes(host::Host& host, nlohmann::json const& request);

}  // namespace daxd::orchestrator
