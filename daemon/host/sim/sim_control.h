// SPDX-License-Identifier: Apache-2.0
// What tests use to set up the world the kernel would have: processes, fixtures, a state file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/host/sim/sim_host.h"
#include "daemon/host/sim/sim_state.h"

namespace daxd::host::sim {

/// One thing a process holds; resolved against mounts and device nodes by SimHost::add_process.
inline SimUse use(ConsumerKind kind, std::string path, bool map_sync = false) {
  SimUse u;
  u.kind = kind;
  u.path = std::move(path);
  u.map_sync = map_sync;
  return u;
}

/// An open file descriptor on `path` (a device node such as "/dev/pmem0" or a file under a mount).
inline SimUse open_fd(std::string path) { return use(ConsumerKind::fd, std::move(path)); }
/// A shared mapping of `path`; `map_sync` asks for MAP_SHARED_VALIDATE|MAP_SYNC.
inline SimUse mapping(std::string path, bool map_sync = false) {
  return use(ConsumerKind::mapping, std::move(path), map_sync);
}
/// The process's working directory.
inline SimUse cwd(std::string path) { return use(ConsumerKind::cwd, std::move(path)); }

inline SimProcess process(int pid, std::string command, std::vector<SimUse> uses) {
  return SimProcess{pid, std::move(command), std::move(uses), false};
}

/// A labelled (or label-less) region of `size` bytes named "region<index>".
inline SimRegion region(unsigned index, std::uint64_t size, bool labels = true) {
  SimRegion r;
  r.dev = "region" + std::to_string(index);
  r.size = size;
  r.labels = labels;
  r.iset_id = std::uint64_t{0x1a2b3c4d00000000} + index;
  return r;
}

/// The demo world (fixtures/two-regions.json): two labelled 16 GiB regions and a 1 GiB loop0.
inline SimState two_regions_state() {
  SimState s;
  s.regions = {region(0, 16ULL << 30), region(1, 16ULL << 30)};
  s.block_devices = {SimBlockDevice{"loop0", 1ULL << 30, DevNumber{7, 0}}};
  return s;
}

}  // namespace daxd::host::sim
