// SPDX-License-Identifier: Apache-2.0
// dm-snapshot as the 6.1 kernel behaves (checked in the VM): persistent COW stores that outlive
// their device, handover to snapshot-merge, instant merges, status lines; and bulk copies.
#include "daemon/host/sim/sim_snapshot.h"

#include <algorithm>
#include <cerrno>
#include <sstream>

#include "daemon/host/sim/sim_ops.h"

namespace daxd::host::sim {
namespace {

constexpr std::uint64_t kHeaderChunks = 1;  // NUM_SNAPSHOT_HDR_CHUNKS
constexpr std::uint64_t kExceptionBytes = 16;  // struct disk_exception
constexpr std::uint64_t kCopyBytesPerMs = (2ULL << 30) / 1000;  // the sim copies at 2 GiB/s

std::vector<std::string> words(std::string const& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool is_snap(DmTarget const& t) { return t.type == "snapshot" || t.type == "snapshot-merge"; }

/// The dev number of the `index`-th device of a snapshot table (0 origin, 1 cow).
std::optional<DevNumber> ref_dev(SimState const& s, DmTarget const& t, std::size_t index) {
  auto const w = words(t.params);
  if (w.size() <= index) return std::nullopt;
  auto const d = find_device(s, w[index]);
  return d ? std::optional<DevNumber>(d->dev) : std::nullopt;
}

std::uint64_t chunk_sectors(DmTarget const& t) {
  auto const w = words(t.params);
  std::uint64_t v = 0;
  if (w.size() >= 4) {
    for (char c : w[3]) v = c >= '0' && c <= '9' ? v * 10 + static_cast<std::uint64_t>(c - '0') : v;
  }
  return v == 0 ? 8 : v;
}

/// "snap:<where the cow's sector 0 lands>": the key of a COW store's snapshot image.
std::string cow_key(SimState const& s, DmTarget const& t) {
  auto const w = words(t.params);
  auto const cow = w.size() >= 2 ? find_device(s, w[1]) : std::nullopt;
  return cow ? "snap:" + storage_key(s, *cow) : std::string();
}

struct SnapTarget {
  SimDmDevice const* device;
  DmTarget const* target;
  bool live;  // false: loaded in the inactive slot, not yet resumed
};

/// Every snapshot/snapshot-merge target (live and inactive) except those of device `skip`'s
/// inactive slot, which a reload replaces.
std::vector<SnapTarget> snap_targets(SimState const& s, std::string_view skip) {
  std::vector<SnapTarget> out;
  for (auto const& d : s.dm_devices) {
    for (auto const& t : d.table) {
      if (is_snap(t)) out.push_back({&d, &t, true});
    }
    if (d.inactive && d.name != skip) {
      for (auto const& t : *d.inactive) {
        if (is_snap(t)) out.push_back({&d, &t, false});
      }
    }
  }
  return out;
}

std::string kernel_error(std::string_view name, DmTarget const& t, std::string const& text) {
  return std::string(name) + ": device-mapper: table: " + t.type + ": " + text;
}

}  // namespace

Result<void> check_snapshot_load(SimState const& s, std::string_view name, DmTarget const& t) {
  auto const cow = ref_dev(s, t, 1);
  auto const origin = ref_dev(s, t, 0);
  if (!cow || !origin) return Ok();  // check_range reported it
  if (*cow == *origin) {
    return Fail(Errc::invalid_argument,
                kernel_error(name, t, "COW device cannot be the same as origin device"));
  }
  int sharing = 0;
  bool pending_dest = false;
  bool merging = false;
  for (auto const& x : snap_targets(s, name)) {
    if (ref_dev(s, *x.target, 0) == origin && x.target->type == "snapshot-merge") merging = true;
    if (ref_dev(s, *x.target, 1) != cow) continue;
    ++sharing;
    pending_dest = pending_dest || !x.live;
  }
  if (sharing >= 2 || pending_dest) {
    return Fail(Errc::invalid_argument,
                kernel_error(name, t, "Snapshot cow pairing for exception table handover failed"));
  }
  if (sharing == 1 && t.type == "snapshot-merge" && merging) {
    return Fail(Errc::invalid_argument, kernel_error(name, t, "A snapshot is already merging."));
  }
  // A new store needs a zeroed header; a header neither zero nor SNAP_MAGIC (mkfs.xfs writes its
  // superblock at sector 0; ext4 leaves the first KiB zero) is refused.
  auto const key = cow_key(s, t);
  auto const cow_info = find_device(s, words(t.params)[1]);
  if (sharing == 0 && !s.storage.contains(key) && cow_info) {
    auto const it = s.storage.find(storage_key(s, *cow_info));
    if (it != s.storage.end() && it->second.signature == "xfs") {
      return error_from_errno(ENXIO,
                              kernel_error(name, t,
                                           "Failed to read snapshot metadata (-ENXIO) "
                                           "(device-mapper: persistent snapshot: Invalid or "
                                           "corrupt snapshot)"));
    }
  }
  return Ok();
}

Result<void> check_snapshot_resume(SimState const& s, SimDmDevice const& d) {
  if (!d.inactive) return Ok();
  for (auto const& t : *d.inactive) {
    if (!is_snap(t)) continue;
    auto const cow = ref_dev(s, t, 1);
    for (auto const& other : s.dm_devices) {
      if (other.name == d.name || other.suspended) continue;
      bool const source = std::any_of(other.table.begin(), other.table.end(), [&](auto const& x) {
        return is_snap(x) && ref_dev(s, x, 1) == cow;
      });
      if (source) {
        return Fail(Errc::invalid_argument,
                    d.name + ": cannot resume: device-mapper: snapshots: Unable to perform "
                             "snapshot handover until source is suspended. (" +
                        other.name + " is live)");
      }
    }
  }
  return Ok();
}

void snapshot_table_live(SimState& s, SimDmDevice const& d) {
  if (d.table.empty() || !is_snap(d.table.front())) return;
  DmTarget const& t = d.table.front();
  auto const key = cow_key(s, t);
  auto const origin = find_device(s, words(t.params).front());
  if (key.empty() || !origin) return;
  auto const origin_key = storage_key(s, *origin);
  if (t.type == "snapshot") {
    // A persistent store keeps its exceptions: a re-created snapshot shows what it showed.
    if (s.storage.contains(key)) return;
    auto const it = s.storage.find(origin_key);
    SimStorage image = it != s.storage.end() ? it->second : SimStorage{};
    image.cow_chunks = 0;
    s.storage[key] = std::move(image);
    return;
  }
  // snapshot-merge: the exceptions go back to the origin (at once in the sim); the store is
  // left without exceptions, so a snapshot loaded on it later starts from the origin again.
  auto const it = s.storage.find(key);
  if (it == s.storage.end()) return;
  SimStorage merged = std::move(it->second);
  merged.cow_chunks = 0;
  s.storage.erase(it);
  s.storage[origin_key] = std::move(merged);
  for (auto const& m : s.mounts) {
    auto const dev = find_device(s, m.device);
    if (dev && dev->owner != d.name && storage_key(s, *dev) == origin_key) {
      s.hazards.push_back(SimHazard{"dm.resume", d.name, {},
                                    "snapshot-merge wrote beneath the filesystem mounted at " +
                                        m.target + " (the kernel allows it; the fs is corrupted)"});
    }
  }
}

Result<std::vector<std::string>> dm_status(SimState const& s, std::string_view name) {
  auto const it = std::find_if(s.dm_devices.begin(), s.dm_devices.end(),
                               [&](SimDmDevice const& d) { return d.name == name; });
  if (it == s.dm_devices.end()) {
    return Fail(Errc::not_found, std::string(name) + ": no such device-mapper device");
  }
  std::vector<std::string> out;
  for (auto const& t : it->table) {
    if (!is_snap(t)) {
      out.emplace_back();
      continue;
    }
    auto const cow = ref_dev(s, t, 1);
    bool handed_over = t.type == "snapshot" &&
                       std::any_of(s.dm_devices.begin(), s.dm_devices.end(), [&](auto const& o) {
                         return &o != &*it && !o.table.empty() &&
                                o.table.front().type == "snapshot-merge" &&
                                ref_dev(s, o.table.front(), 1) == cow;
                       });
    auto const cow_info = find_device(s, words(t.params)[1]);
    std::uint64_t const chunk = chunk_sectors(t);
    std::uint64_t const total = cow_info ? cow_info->size / 512 : 0;
    auto const st = s.storage.find(cow_key(s, t));
    std::uint64_t const n = st != s.storage.end() ? st->second.cow_chunks : 0;
    std::uint64_t const per_area = chunk * 512 / kExceptionBytes;
    std::uint64_t const areas = n / per_area + 1;
    std::uint64_t const allocated = (kHeaderChunks + areas + n) * chunk;
    std::uint64_t const metadata = (kHeaderChunks + areas) * chunk;
    if (handed_over || allocated > total) {
      out.emplace_back("Invalid");
      continue;
    }
    out.push_back(std::to_string(allocated) + "/" + std::to_string(total) + " " +
                  std::to_string(metadata));
  }
  return out;
}

void note_write(SimState& s, DeviceInfo const& d, std::uint64_t bytes) {
  auto const written = storage_key(s, d);
  for (auto const& dm : s.dm_devices) {
    if (dm.table.empty() || dm.table.front().type != "snapshot") continue;
    DmTarget const& t = dm.table.front();
    auto const origin = find_device(s, words(t.params).front());
    auto const key = cow_key(s, t);
    if (!origin || (storage_key(s, *origin) != written && key != written)) continue;
    auto const st = s.storage.find(key);
    if (st == s.storage.end()) continue;
    st->second.cow_chunks += 1 + bytes / (chunk_sectors(t) * 512);  // data and an inode block
  }
}

namespace {

/// The block device at `path`, long enough for `length` and not suspended (direct I/O on a
/// suspended dm device would block). Errors: not_found, invalid_argument, io_error.
Result<DeviceInfo> writable_device(SimState const& s, std::string_view path, std::uint64_t length) {
  std::string const n(path);
  auto const d = find_device(s, path);
  if (!d) return Fail(Errc::not_found, n + ": cannot open for direct I/O: no such device");
  if (!d->block) return Fail(Errc::invalid_argument, n + ": not a block device");
  if (d->size < length) {
    return Fail(Errc::invalid_argument, n + ": " + std::to_string(d->size) +
                                            " bytes, shorter than the " + std::to_string(length) +
                                            " to write");
  }
  bool const suspended = std::any_of(s.dm_devices.begin(), s.dm_devices.end(), [&](auto& dm) {
    return d->kind == DevKind::dm && dm.name == d->owner && dm.suspended;
  });
  if (suspended) return Fail(Errc::io_error, n + ": suspended: direct I/O would block");
  return *d;
}

Result<void> check_aligned(std::string const& what, std::uint64_t length) {
  if (length % 4096 == 0) return Ok();
  return Fail(Errc::invalid_argument,
              what + ": " + std::to_string(length) + " bytes is not a multiple of 4096");
}

}  // namespace

Result<host::CopyStats> copy_blocks(SimState& s, std::string_view from, std::string_view to,
                                    std::uint64_t length) {
  DAXD_TRY(check_aligned(std::string(from) + " -> " + std::string(to) + ": cannot copy", length));
  DAXD_ASSIGN_OR_RETURN(DeviceInfo const source, writable_device(s, from, length));
  DAXD_ASSIGN_OR_RETURN(DeviceInfo const target, writable_device(s, to, length));
  auto const src = s.storage.find(storage_key(s, source));
  auto const dst = storage_key(s, target);
  s.storage.erase("snap:" + dst);  // a COW store's header is overwritten too
  if (src == s.storage.end()) {
    s.storage.erase(dst);
  } else {
    SimStorage image = src->second;
    image.cow_chunks = s.storage.contains(dst) ? s.storage.at(dst).cow_chunks : 0;
    s.storage[dst] = std::move(image);
  }
  note_write(s, target, length);
  return host::CopyStats{length, static_cast<std::int64_t>(length / kCopyBytesPerMs)};
}

Result<void> zero_blocks(SimState& s, std::string_view device, std::uint64_t length) {
  DAXD_TRY(check_aligned(std::string(device) + ": cannot zero", length));
  DAXD_ASSIGN_OR_RETURN(DeviceInfo const target, writable_device(s, device, length));
  auto const key = storage_key(s, target);
  s.storage.erase("snap:" + key);  // no COW header any more: a new store
  s.storage.erase(key);            // and no filesystem signature
  note_write(s, target, length);
  return Ok();
}

}  // namespace daxd::host::sim
