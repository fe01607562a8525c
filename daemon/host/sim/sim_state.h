// SPDX-License-Identifier: Apache-2.0
// The whole simulated "kernel": regions, namespaces, dm devices, mounts, data, processes, faults.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/model/consumer.h"
#include "daemon/model/device.h"
#include "daemon/model/namespace.h"
#include "daemon/model/result.h"
#include "daemon/model/volume.h"

namespace daxd::host::sim {

inline constexpr std::uint64_t kMiB = 1024ULL * 1024ULL;
inline constexpr std::uint32_t kPmemMajor = 259;  // blkext: pmem block devices
inline constexpr std::uint32_t kDmMajor = 254;    // device-mapper
inline constexpr std::uint32_t kDaxMajor = 252;   // device-dax character devices

struct SimRegion {
  std::string dev;  // "region0"
  std::uint64_t size = 0;
  std::uint64_t align = 16 * kMiB;  // the region's "align" attribute (x86 default)
  bool labels = true;               // false: label-less, one raw namespace, no sub-division
  int numa_node = 0;
  std::string persistence_domain = "memory_controller";
  std::uint64_t iset_id = 0;  // shown only when labels are on
};

struct SimNamespace {
  std::string dev;  // "namespace0.1"
  std::string region;
  NamespaceMode mode = NamespaceMode::raw;
  std::uint64_t offset = 0;    // bytes into the region (DPA)
  std::uint64_t raw_size = 0;  // the allocation; usable size depends on the mode
  std::uint64_t align = 0;     // pfn/dax alignment; 0 for sector/raw
  std::string uuid;            // empty when label-less
  std::string name;
  std::uint32_t minor = 0;  // of its block (259) or char (252) device
};

/// A block device that is not pmem (loop0, ram0): never DAX-capable.
struct SimBlockDevice {
  std::string name;  // "loop0"
  std::uint64_t size = 0;
  DevNumber dev;
};

/// DM_TYPE_* values as the kernel prints them in "can't change device type".
enum class DmType { bio_based = 1, dax_bio_based = 3 };

struct SimDmDevice {
  std::string name;
  std::string uuid;
  std::uint32_t minor = 0;          // dm-N
  DmType type = DmType::bio_based;  // fixed at the first table load
  bool suspended = false;
  std::vector<DmTarget> table;                    // live
  std::optional<std::vector<DmTarget>> inactive;  // loaded, not yet resumed
  std::vector<int> dax_mappings_at_suspend;       // pids still writing through DAX while suspended
};

/// What the in-memory inode of a file on a mounted filesystem carries (dax.rst: S_DAX is decided
/// when the inode is loaded; a flag change marks it "don't cache", so its last user evicts it).
struct SimCachedInode {
  bool s_dax = false;      // statx STATX_ATTR_DAX
  bool dontcache = false;  // I_DONTCACHE: evicted when the last reference goes
  bool pinned = false;     // held by what no /proc scan shows (loop device, swap): never evicted
};

struct SimMount {
  std::string device;  // kernel name: "pmem0", "dm-0"
  std::string source;  // "/dev/pmem0", "/dev/mapper/NAME"
  std::string target;
  FsType fstype = FsType::ext4;
  DaxMode dax = DaxMode::always;
  bool dax_active = false;  // the fs really serves files with DAX
  bool frozen = false;
  std::map<std::string, SimCachedInode> inode_cache = {};  // path inside the fs -> loaded inode
  bool read_only = false;  // mount_read_only: ro, dax=never, no journal replay (+ nouuid on xfs)
};

/// What sits on a range of media: a filesystem signature and a few files.
/// Persistent attributes of an inode; a file of `files` without an entry has none set.
struct SimInodeAttrs {
  bool directory = false;
  bool dax_flag = false;  // FS_XFLAG_DAX
};

struct SimStorage {
  std::string signature;                     // "ext4", "xfs", "" (none)
  std::map<std::string, std::string> files;  // path inside the fs -> bytes
  std::map<std::string, SimInodeAttrs> inodes = {};  // path in the fs ("/" the root) -> attrs;
                                                // parents of files are directories as well
  std::string uuid = {};          // the filesystem's uuid (mkfs), copied with the data
  std::uint64_t cow_chunks = 0;   // "snap:" keys: exception chunks the COW store holds
};

/// One thing a process holds. Resolved when the process is added.
struct SimUse {
  ConsumerKind kind = ConsumerKind::fd;  // fd, mapping, cwd, root or exe
  std::string path;                      // "/mnt/db/data" or "/dev/dax0.1"
  bool map_sync = false;
  DevNumber dev;  // st_dev of the fs, or st_rdev of the device node
  bool device_node = false;
  bool dax = false;
};

struct SimProcess {
  int pid = 0;
  std::string command;
  std::vector<SimUse> uses;
  bool ignore_sigterm = false;  // only SIGKILL makes it exit
};

struct SimFault {
  int err = 0;    // errno the next calls fail with
  int count = 0;  // how many calls still fail
};

/// Something the kernel allowed but that breaks a daxd invariant (checked by later tests).
struct SimHazard {
  std::string op;  // "dm.suspend", "dm.reload", "dm.resume"
  std::string device;
  std::vector<int> pids;
  std::string note;
};

struct SimState {
  std::vector<SimRegion> regions;
  std::vector<SimNamespace> namespaces;
  std::vector<SimBlockDevice> block_devices;
  std::vector<SimDmDevice> dm_devices;
  std::vector<SimMount> mounts;
  std::map<std::string, SimStorage> storage;  // storage key ("namespace0.0@0") -> contents
  std::vector<SimProcess> processes;
  std::map<std::string, SimFault> faults;  // op name -> pending fault
  std::vector<SimHazard> hazards;
};

nlohmann::json state_to_json(SimState const& s);
/// Reads a state file or a fixture (missing keys take defaults; label-less regions get their
/// raw namespace). Errors: invalid_argument naming the bad key.
Result<SimState> state_from_json(nlohmann::json const& j);

}  // namespace daxd::host::sim
