// SPDX-License-Identifier: Apache-2.0
// Simulated per-file DAX: FS_XFLAG_DAX per inode, S_DAX decided at inode load, eviction rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/host/filesystems.h"
#include "daemon/host/processes.h"
#include "daemon/host/sim/sim_state.h"

namespace daxd::host::sim {

// Same contracts as host::Filesystems. Reading the state loads the inode (as statx does).
Result<FileDaxState> file_dax_state(SimState& s, std::string_view root, std::string_view path);
Result<void> set_file_dax(SimState& s, std::string_view root, std::string_view path, bool on);
Result<void> evict_inodes(SimState& s, std::string_view root);

/// mkdir -p `path` on the filesystem of `device`; new directories inherit FS_XFLAG_DAX from
/// their parent. Errors: not_found, invalid_argument (no filesystem), already_exists (a file).
Result<void> make_directory(SimState& s, std::string_view device, std::string const& path);

/// A file about to be created at `path` (and its missing parents) take FS_XFLAG_DAX from the
/// directory they are created in (dax.rst: inherited "when created").
void inherit_on_create(SimStorage& storage, std::string const& path);

/// The loaded inode of `abs_path` (a file under mount `m`) — loaded now if it was not — and
/// its S_DAX; nullopt when the path is no file or directory of the filesystem.
std::optional<bool> load_inode(SimState& s, SimMount& m, std::string const& abs_path);

/// Evicts "don't cache" inodes that no process holds any more (after a process exits).
void release_inodes(SimState& s);

/// The sim's st_ino of a path inside a filesystem ("/" is 2).
std::uint64_t sim_inode_number(std::string const& fs_path);

/// Whether a process use is one of `files` (same filesystem and inode).
bool use_is_file(SimState const& s, SimUse const& u, std::vector<FileId> const& files);

}  // namespace daxd::host::sim
