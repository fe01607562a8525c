// SPDX-License-Identifier: Apache-2.0
// The kernel's size arithmetic, device naming and device lookup, reproduced for the sim host.
#include "daemon/host/sim/sim_rules.h"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace daxd::host::sim {
namespace {

constexpr std::uint64_t kPage = 4096;

std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

std::vector<std::string> split(std::string const& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::optional<std::uint64_t> to_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto const [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

struct Place {
  std::string base;
  std::uint64_t offset = 0;
};

Place place_of(SimState const& s, DeviceInfo const& d, int depth);

Place place_of_ref(SimState const& s, std::string const& ref, int depth) {
  auto const d = find_device(s, ref);
  if (!d || depth > 16) return Place{"missing:" + ref, 0};
  return place_of(s, *d, depth + 1);
}

// The filesystem superblock sits at sector 0 of a dm device, i.e. on its first target's media.
Place place_of(SimState const& s, DeviceInfo const& d, int depth) {
  if (d.kind != DevKind::dm) return Place{d.kind == DevKind::other ? d.kname : d.owner, 0};
  auto const it = std::find_if(s.dm_devices.begin(), s.dm_devices.end(),
                               [&](SimDmDevice const& x) { return x.name == d.owner; });
  if (it == s.dm_devices.end() || it->table.empty()) return Place{"dm:" + d.owner, 0};
  auto const& t = it->table.front();
  auto const w = split(t.params);
  if (t.type == "linear" && w.size() >= 2) {
    auto p = place_of_ref(s, w[0], depth);
    p.offset += to_u64(w[1]).value_or(0) * 512;
    return p;
  }
  if (t.type == "striped" && w.size() >= 4) {
    auto p = place_of_ref(s, w[2], depth);
    p.offset += to_u64(w[3]).value_or(0) * 512;
    return p;
  }
  // A snapshot-origin, and a snapshot-merge once merged (the sim merges at once), show the
  // origin's own data.
  if ((t.type == "snapshot-origin" || t.type == "snapshot-merge") && !w.empty()) {
    return place_of_ref(s, w[0], depth);
  }
  if (t.type == "snapshot" && w.size() >= 2) {
    auto p = place_of_ref(s, w[1], depth);
    p.base = "snap:" + p.base;
    return p;
  }
  return Place{"dm:" + d.owner, 0};
}

std::optional<DeviceInfo> find_in(std::vector<DeviceInfo> const& devices, std::string_view ref) {
  std::string r(ref);
  if (r.rfind("/dev/", 0) == 0) r = r.substr(5);
  bool const mapper = r.rfind("mapper/", 0) == 0;
  if (mapper) r = r.substr(7);
  auto const colon = r.find(':');
  std::optional<DevNumber> number;
  if (colon != std::string::npos) {
    auto const ma = to_u64(std::string_view(r).substr(0, colon));
    auto const mi = to_u64(std::string_view(r).substr(colon + 1));
    if (ma && mi)
      number = DevNumber{static_cast<std::uint32_t>(*ma), static_cast<std::uint32_t>(*mi)};
  }
  for (auto const& d : devices) {
    if (number ? d.dev == *number
               : (mapper ? (d.kind == DevKind::dm && d.owner == r) : d.kname == r)) {
      return d;
    }
  }
  return std::nullopt;
}

// Devices are looked up in `devices` (built in creation order), so a dm device only ever
// consults devices that existed before it: no recursion through all_devices().
bool table_dax_capable_in(std::vector<DeviceInfo> const& devices,
                          std::vector<DmTarget> const& table) {
  if (table.empty()) return false;
  return std::all_of(table.begin(), table.end(), [&](DmTarget const& t) {
    if (t.type != "linear" && t.type != "striped") return false;
    auto const refs = target_device_refs(t);
    return !refs.empty() && std::all_of(refs.begin(), refs.end(), [&](std::string const& r) {
      auto const d = find_in(devices, r);
      return d && d->block && d->dax;
    });
  });
}

}  // namespace

// nd_pfn_init() with map=dev: an 8 KiB info block, then 64 bytes of struct page
// (MAX_STRUCT_PAGE_SIZE) for each 4 KiB page of (size - 8 KiB), the data start rounded up to
// the pfn alignment:  usable = size - ALIGN(8K + 64 * ((size - 8K) / 4K), align).
// 512 MiB -> 10 MiB reserved -> 526385152 (502.00 MiB); 256 MiB -> 6 MiB -> 262144000.
std::uint64_t pfn_usable_size(std::uint64_t raw_size, std::uint64_t align) {
  if (align == 0) align = 2 * kMiB;
  if (raw_size <= 8192) return 0;
  std::uint64_t const npfns = (raw_size - 8192) / kPage;
  std::uint64_t const offset = align_up(8192 + 64 * npfns, align);
  std::uint64_t const end_trunc = raw_size % align;  // the namespace start is align-aligned
  if (offset + end_trunc >= raw_size) return 0;
  return raw_size - offset - end_trunc;
}

// btt_init() for BTT v1.1 (label v1.1: the info block starts at 4 KiB): per arena of up to
// 512 GiB (ARENA_MAX_SIZE), minus 2 info pages and the log (256 lanes x 64 B, page-rounded),
// internal_nlba = (available - 4 KiB) / (4096 + 4 map bytes), external = internal - 256 free
// blocks; size = sum(external_nlba) * 4096.  256 MiB -> 65208 blocks -> 267091968 (254.72 MiB;
// without the 4 KiB offset it would print 254.73).
std::uint64_t btt_usable_size(std::uint64_t raw_size) {
  constexpr std::uint64_t kArenaMax = 1ULL << 39;
  constexpr std::uint64_t kArenaMin = 1ULL << 24;
  constexpr std::uint64_t kNfree = 256;
  constexpr std::uint64_t kLbaSize = 4096;
  if (raw_size <= kPage) return 0;
  std::uint64_t remaining = raw_size - kPage;
  std::uint64_t nlba = 0;
  while (remaining > 0) {
    std::uint64_t const arena = std::min(kArenaMax, remaining);
    remaining -= arena;
    if (arena < kArenaMin) break;
    std::uint64_t available = arena - arena % kPage;
    available -= 2 * kPage;
    available -= align_up(kNfree * 64, kPage);
    std::uint64_t const internal = (available - kPage) / (kLbaSize + 4);
    nlba += internal - kNfree;
  }
  return nlba * kLbaSize;
}

std::uint64_t usable_size(SimNamespace const& ns) {
  switch (ns.mode) {
    case NamespaceMode::fsdax:
    case NamespaceMode::devdax:
      return pfn_usable_size(ns.raw_size, ns.align);
    case NamespaceMode::sector:
      return btt_usable_size(ns.raw_size);
    case NamespaceMode::raw:
      return ns.raw_size;
  }
  return ns.raw_size;
}

int namespace_id(std::string_view dev) {
  auto const dot = dev.rfind('.');
  if (dot == std::string_view::npos) return -1;
  auto const v = to_u64(dev.substr(dot + 1));
  return v ? static_cast<int>(*v) : -1;
}

namespace {
std::string region_number(std::string const& region) {
  return region.rfind("region", 0) == 0 ? region.substr(6) : region;
}
}  // namespace

// nvdimm_namespace_disk_name(): "pmem<region>" for id 0, "pmem<region>.<id>" otherwise,
// with the btt suffix "s".
std::string blockdev_name(SimNamespace const& ns) {
  if (ns.mode == NamespaceMode::devdax) return "";
  int const id = namespace_id(ns.dev);
  std::string name = "pmem" + region_number(ns.region);
  if (id > 0) name += "." + std::to_string(id);
  if (ns.mode == NamespaceMode::sector) name += "s";
  return name;
}

std::string chardev_name(SimNamespace const& ns) {
  if (ns.mode != NamespaceMode::devdax) return "";
  return "dax" + region_number(ns.region) + "." + std::to_string(std::max(0, namespace_id(ns.dev)));
}

void add_legacy_namespaces(SimState& s) {
  for (auto const& r : s.regions) {
    if (r.labels) continue;
    bool const has = std::any_of(s.namespaces.begin(), s.namespaces.end(),
                                 [&](SimNamespace const& n) { return n.region == r.dev; });
    if (has) continue;
    std::vector<std::uint32_t> used;
    for (auto const& n : s.namespaces) {
      if (n.mode != NamespaceMode::devdax) used.push_back(n.minor);
    }
    SimNamespace ns;
    ns.dev = "namespace" + region_number(r.dev) + ".0";
    ns.region = r.dev;
    ns.raw_size = r.size;
    ns.minor = lowest_free(used);
    s.namespaces.push_back(std::move(ns));
  }
}

std::vector<DeviceInfo> all_devices(SimState const& s) {
  std::vector<DeviceInfo> out;
  for (auto const& n : s.namespaces) {
    if (n.mode == NamespaceMode::devdax) {
      auto const name = chardev_name(n);
      out.push_back(DeviceInfo{name, "/dev/" + name, DevNumber{kDaxMajor, n.minor}, usable_size(n),
                               true, false, DevKind::dax, n.dev});
    } else {
      auto const name = blockdev_name(n);
      out.push_back(DeviceInfo{name, "/dev/" + name, DevNumber{kPmemMajor, n.minor}, usable_size(n),
                               n.mode == NamespaceMode::fsdax, true, DevKind::pmem, n.dev});
    }
  }
  for (auto const& b : s.block_devices) {
    out.push_back(
        DeviceInfo{b.name, "/dev/" + b.name, b.dev, b.size, false, true, DevKind::other, b.name});
  }
  for (auto const& d : s.dm_devices) {
    std::uint64_t sectors = 0;
    for (auto const& t : d.table) sectors += t.length;
    bool const dax = table_dax_capable_in(out, d.table);
    out.push_back(DeviceInfo{"dm-" + std::to_string(d.minor), "/dev/mapper/" + d.name,
                             DevNumber{kDmMajor, d.minor}, sectors * 512, dax, true, DevKind::dm,
                             d.name});
  }
  return out;
}

std::optional<DeviceInfo> find_device(SimState const& s, std::string_view ref) {
  return find_in(all_devices(s), ref);
}

std::vector<std::string> target_device_refs(DmTarget const& t) {
  auto const w = split(t.params);
  std::vector<std::string> out;
  if (t.type == "linear" && !w.empty()) out.push_back(w[0]);
  if (t.type == "striped" && w.size() >= 2) {
    for (std::size_t i = 2; i + 1 < w.size(); i += 2) out.push_back(w[i]);
  }
  if (t.type == "snapshot-origin" && !w.empty()) out.push_back(w[0]);
  if ((t.type == "snapshot" || t.type == "snapshot-merge") && w.size() >= 2) {
    out.insert(out.end(), {w[0], w[1]});
  }
  if (t.type == "linear" || t.type == "striped" || t.type == "snapshot" ||
      t.type == "snapshot-origin" || t.type == "snapshot-merge") {
    return out;
  }
  // Other targets (writecache, thin-pool, ...): every word that names a device.
  for (auto const& word : w) {
    if (word.rfind("/dev/", 0) == 0 ||
        (word.find(':') != std::string::npos && word.find(':') > 0)) {
      out.push_back(word);
    }
  }
  return out;
}

bool table_dax_capable(SimState const& s, std::vector<DmTarget> const& table) {
  return table_dax_capable_in(all_devices(s), table);
}

std::string storage_key(SimState const& s, DeviceInfo const& d) {
  auto const p = place_of(s, d, 0);
  return p.base + "@" + std::to_string(p.offset);
}

SimMount const* mount_of_device(SimState const& s, std::string_view kname) {
  auto const it = std::find_if(s.mounts.begin(), s.mounts.end(),
                               [&](SimMount const& m) { return m.device == kname; });
  return it == s.mounts.end() ? nullptr : &*it;
}

SimMount* mount_at(SimState& s, std::string_view target) {
  auto const it = std::find_if(s.mounts.begin(), s.mounts.end(),
                               [&](SimMount const& m) { return m.target == target; });
  return it == s.mounts.end() ? nullptr : &*it;
}

std::vector<Consumer> device_blockers(SimState const& s, DeviceInfo const& d) {
  std::vector<Consumer> out;
  if (auto const* m = mount_of_device(s, d.kname)) {
    out.push_back(Consumer{ConsumerKind::mount, 0, "", m->target, false, m->dax_active});
  }
  for (auto const& dm : s.dm_devices) {
    auto tables = dm.table;
    if (dm.inactive) tables.insert(tables.end(), dm.inactive->begin(), dm.inactive->end());
    for (auto const& t : tables) {
      auto const refs = target_device_refs(t);
      bool const holds = std::any_of(refs.begin(), refs.end(), [&](std::string const& r) {
        auto const x = find_device(s, r);
        return x && x->dev == d.dev;
      });
      if (holds) {
        out.push_back(
            Consumer{ConsumerKind::holder, 0, dm.name, "/dev/mapper/" + dm.name, false, false});
        break;
      }
    }
  }
  for (auto const& p : s.processes) {
    for (auto const& u : p.uses) {
      if (u.device_node && u.dev == d.dev) {
        out.push_back(Consumer{u.kind, p.pid, p.command, u.path, u.map_sync, u.dax});
      }
    }
  }
  return out;
}

std::vector<int> dax_mapping_pids(SimState const& s, DeviceInfo const& d) {
  bool const mounted = mount_of_device(s, d.kname) != nullptr;
  std::vector<int> out;
  for (auto const& p : s.processes) {
    bool const maps = std::any_of(p.uses.begin(), p.uses.end(), [&](SimUse const& u) {
      return u.kind == ConsumerKind::mapping && u.dax && u.dev == d.dev &&
             (u.device_node || mounted);
    });
    if (maps) out.push_back(p.pid);
  }
  return out;
}

Error busy_error(std::string const& subject, std::vector<Consumer> blockers) {
  std::string why = "in use";
  if (!blockers.empty()) {
    auto const& b = blockers.front();
    switch (b.kind) {
      case ConsumerKind::mount:
        why = "mounted at " + b.path;
        break;
      case ConsumerKind::holder:
        why = "held by dm device " + b.command;
        break;
      case ConsumerKind::fd:
      case ConsumerKind::mapping:
      case ConsumerKind::cwd:
      case ConsumerKind::root:
      case ConsumerKind::exe:
        why = std::string(to_string(b.kind)) + " of pid " + std::to_string(b.pid) + " (" +
              b.command + ") on " + b.path;
        break;
    }
  }
  return Error{Errc::busy, subject + ": busy: " + why, std::move(blockers)};
}

std::uint32_t lowest_free(std::vector<std::uint32_t> const& used) {
  std::uint32_t v = 0;
  while (std::find(used.begin(), used.end(), v) != used.end()) ++v;
  return v;
}

}  // namespace daxd::host::sim
