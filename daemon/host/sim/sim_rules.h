// SPDX-License-Identifier: Apache-2.0
// The kernel's arithmetic and naming as the sim reproduces it: usable sizes, device names, devices.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/host/sim/sim_state.h"
#include "daemon/model/consumer.h"

namespace daxd::host::sim {

/// Usable bytes of an fsdax/devdax namespace with map=dev (the kernel's nd_pfn_init).
std::uint64_t pfn_usable_size(std::uint64_t raw_size, std::uint64_t align);
/// Usable bytes of a sector (BTT v1.1, 4096-byte sectors) namespace (the kernel's btt_init).
std::uint64_t btt_usable_size(std::uint64_t raw_size);
std::uint64_t usable_size(SimNamespace const& ns);

/// "pmem0" (id 0), "pmem0.2", with "s" appended for sector; "" for devdax.
std::string blockdev_name(SimNamespace const& ns);
/// "dax0.1" for devdax; "" otherwise.
std::string chardev_name(SimNamespace const& ns);
/// The N of "namespaceR.N"; -1 when the name has another shape.
int namespace_id(std::string_view dev);
/// Label-less regions always show one raw namespace covering the region.
void add_legacy_namespaces(SimState& s);

enum class DevKind { pmem, dm, dax, other };

/// One device node the simulated kernel has.
struct DeviceInfo {
  std::string kname;  // "pmem0", "dm-0", "dax0.1", "loop0"
  std::string node;   // "/dev/pmem0", "/dev/mapper/NAME", "/dev/dax0.1"
  DevNumber dev;
  std::uint64_t size = 0;  // bytes
  bool dax = false;        // pmem fsdax block device, DAX-type dm device, devdax
  bool block = true;
  DevKind kind = DevKind::other;
  std::string owner;  // namespace dev or dm name
};

std::vector<DeviceInfo> all_devices(SimState const& s);
/// Accepts "/dev/pmem0", "pmem0", "/dev/mapper/NAME", "/dev/dm-0", "dm-0", "259:0".
std::optional<DeviceInfo> find_device(SimState const& s, std::string_view ref);

/// Device references in a target's parameters ("/dev/pmem0", "254:1", ...).
std::vector<std::string> target_device_refs(DmTarget const& t);
/// Whether the kernel would give a table DM_TYPE_DAX_BIO_BASED: linear/striped over DAX devices.
bool table_dax_capable(SimState const& s, std::vector<DmTarget> const& table);

/// Where the data of a block device live: "namespace0.0@1048576", "snap:loop0@0", "dm:NAME".
std::string storage_key(SimState const& s, DeviceInfo const& d);

/// Mounts, dm holders and processes that keep the kernel from letting go of `d`.
std::vector<Consumer> device_blockers(SimState const& s, DeviceInfo const& d);
/// Pids mapping `d` (or a file of a filesystem on it) through DAX.
std::vector<int> dax_mapping_pids(SimState const& s, DeviceInfo const& d);

/// Errc::busy naming the first blocker: "namespace0.0: busy: mounted at /mnt/a".
Error busy_error(std::string const& subject, std::vector<Consumer> blockers);

SimMount const* mount_of_device(SimState const& s, std::string_view kname);
SimMount* mount_at(SimState& s, std::string_view target);

/// The smallest value not in `used`.
std::uint32_t lowest_free(std::vector<std::uint32_t> const& used);

}  // namespace daxd::host::sim
