// SPDX-License-Identifier: Apache-2.0
// The simulated kernel's operations as pure functions on a SimState (no locking, no I/O).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/host/nvdimm.h"
#include "daemon/host/processes.h"
#include "daemon/host/sim/sim_state.h"

namespace daxd::host::sim {

// NVDIMM (sim_nvdimm.cpp). Same contracts as host::Nvdimm.
/// The namespace as ndctl shows it (usable size, device names, sector size, align).
Namespace to_namespace(SimNamespace const& n);
std::vector<Region> list_regions(SimState const& s);
std::vector<Namespace> list_namespaces(SimState const& s);
Result<Namespace> create_namespace(SimState& s, NamespaceSpec const& spec);
Result<void> destroy_namespace(SimState& s, std::string_view dev);
Result<Namespace> reconfigure_namespace(SimState& s, std::string_view dev, NamespaceMode mode);

// device-mapper (sim_dm.cpp). Same contracts as host::DeviceMapper.
std::vector<DmDevice> list_dm_devices(SimState const& s);
Result<DmDevice> dm_create(SimState& s, std::string_view name, std::string_view uuid,
                           std::vector<DmTarget> const& table);
Result<void> dm_reload(SimState& s, std::string_view name, std::vector<DmTarget> const& table);
Result<void> dm_suspend(SimState& s, std::string_view name);
Result<void> dm_resume(SimState& s, std::string_view name);
Result<void> dm_remove(SimState& s, std::string_view name);

// Filesystems (sim_fs.cpp). Same contracts as host::Filesystems.
std::vector<MountEntry> list_mounts(SimState const& s);
Result<void> make_filesystem(SimState& s, std::string_view device, FsType type);
Result<void> mount_fs(SimState& s, std::string_view device, std::string_view target, FsType type,
                      DaxMode dax);
/// Read-only, dax=never, journal not replayed, xfs with nouuid (Filesystems::mount_read_only).
Result<void> mount_read_only_fs(SimState& s, std::string_view device, std::string_view target,
                                FsType type);
Result<void> unmount_fs(SimState& s, std::string_view target);
Result<void> freeze_fs(SimState& s, std::string_view target);
Result<void> thaw_fs(SimState& s, std::string_view target);
Result<std::string> probe_signature(SimState const& s, std::string_view device);
/// Test data on a device's filesystem. Errors: not_found, invalid_argument (no filesystem),
/// busy (frozen or suspended, where a real write would block).
Result<void> write_file(SimState& s, std::string_view device, std::string const& path,
                        std::string bytes);
Result<std::string> read_file(SimState const& s, std::string_view device, std::string const& path);

// Processes (sim_processes.cpp). Same contracts as host::Processes.
std::vector<Consumer> find_consumers(SimState const& s, ConsumerQuery const& query);
Result<void> send_signal(SimState& s, int pid, int signal);
/// Resolves every use's path against the mounts and device nodes, as the kernel does at open().
/// Errors: already_exists (pid), not_found (a /dev path that does not exist), unsupported
/// (MAP_SYNC on a filesystem without DAX: the kernel's EOPNOTSUPP).
Result<void> add_process(SimState& s, SimProcess p);
Result<void> remove_process(SimState& s, int pid);

}  // namespace daxd::host::sim
