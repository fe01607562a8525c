// SPDX-License-Identifier: Apache-2.0
// Simulated filesystems: mkfs signatures, mount rules for DAX, busy unmounts, freeze and thaw.
#include <algorithm>
#include <cerrno>
#include <functional>

#include "daemon/host/sim/sim_file_dax.h"
#include "daemon/host/sim/sim_ops.h"
#include "daemon/host/sim/sim_rules.h"
#include "daemon/host/sim/sim_snapshot.h"

namespace daxd::host::sim {
namespace {

constexpr std::uint64_t kXfsMinBytes = 300 * kMiB;

Result<DeviceInfo> block_device(SimState const& s, std::string_view ref) {
  auto d = find_device(s, ref);
  if (!d) return Fail(Errc::not_found, std::string(ref) + ": no such device");
  if (!d->block) return Fail(Errc::invalid_argument, d->node + ": not a block device");
  return std::move(*d);
}

bool suspended(SimState const& s, DeviceInfo const& d) {
  if (d.kind != DevKind::dm) return false;
  return std::any_of(s.dm_devices.begin(), s.dm_devices.end(),
                     [&](SimDmDevice const& x) { return x.name == d.owner && x.suspended; });
}

// /proc/mounts shows ext4's and xfs's own option strings.
std::string options_of(SimMount const& m) {
  std::string dax;
  switch (m.dax) {
    case DaxMode::always:
      dax = "dax=always";
      break;
    case DaxMode::never:
      dax = "dax=never";
      break;
    case DaxMode::inode:
      dax = m.fstype == FsType::xfs ? "" : "dax=inode";
      break;
  }
  // Read-only images (VM): ext4 "ro,relatime,norecovery,dax=never", xfs
  // "ro,relatime,nouuid,norecovery,attr2,dax=never,inode64,...".
  std::string const head = m.read_only ? "ro,relatime," : "rw,relatime,";
  if (m.fstype == FsType::xfs) {
    return head + (m.read_only ? "nouuid,norecovery," : "") + "attr2," +
           (dax.empty() ? "" : dax + ",") + "inode64,logbufs=8,logbsize=32k,noquota";
  }
  std::string out = head + (m.read_only ? "norecovery," : "") + dax;
  if (out.back() == ',') out.pop_back();
  return out;
}

// A mount of a device mounted elsewhere shares its superblock; changing rw/ro is refused.
Result<void> check_mounted_elsewhere(SimState const& s, DeviceInfo const& d, bool read_only) {
  auto const* m = mount_of_device(s, d.kname);
  if (m == nullptr) return Ok();
  if (m->read_only != read_only) {
    return Fail(Errc::busy, d.node + ": Device or resource busy (" + d.kname +
                                ": Can't mount, would change RO state; mounted at " + m->target +
                                ")");
  }
  return Fail(Errc::busy, d.node + ": busy: already mounted at " + m->target);
}

// XFS refuses a second filesystem with a mounted one's uuid unless told nouuid.
Result<void> check_xfs_uuid(SimState const& s, DeviceInfo const& d, SimStorage const& st) {
  if (st.signature != "xfs" || st.uuid.empty()) return Ok();
  for (auto const& m : s.mounts) {
    auto const other = find_device(s, m.device);
    if (m.fstype != FsType::xfs || !other) continue;
    auto const it = s.storage.find(storage_key(s, *other));
    if (it != s.storage.end() && it->second.uuid == st.uuid) {
      return Fail(Errc::invalid_argument, d.node + ": mount refused: XFS (" + d.kname +
                                              "): Filesystem has duplicate UUID " + st.uuid +
                                              " - can't mount");
    }
  }
  return Ok();
}

}  // namespace

std::vector<MountEntry> list_mounts(SimState const& s) {
  std::vector<MountEntry> out;
  for (auto const& m : s.mounts) {
    MountEntry e;
    e.source = m.source;
    e.target = m.target;
    e.fstype = std::string(to_string(m.fstype));
    e.options = options_of(m);
    if (auto const d = find_device(s, m.device)) e.dev = d->dev;
    auto const pos = e.options.find("dax=");
    if (pos != std::string::npos)
      e.dax = e.options.substr(pos + 4, e.options.find(',', pos) - pos - 4);
    out.push_back(std::move(e));
  }
  return out;
}

Result<void> make_filesystem(SimState& s, std::string_view device, FsType type) {
  DAXD_ASSIGN_OR_RETURN(auto const d, block_device(s, device));
  if (type == FsType::none)
    return Fail(Errc::invalid_argument, d.node + ": no filesystem type given");
  auto blockers = device_blockers(s, d);
  std::erase_if(blockers, [](Consumer const& c) {
    return c.kind != ConsumerKind::mount && c.kind != ConsumerKind::holder;  // mkfs opens O_EXCL
  });
  if (!blockers.empty()) return busy_error(d.node, std::move(blockers));
  if (suspended(s, d)) return Fail(Errc::busy, d.node + ": busy: dm device is suspended");
  if (type == FsType::xfs && d.size < kXfsMinBytes) {
    return Fail(Errc::invalid_argument, d.node + ": Filesystem must be larger than 300MB.");
  }
  SimStorage fresh{std::string(to_string(type)), {}};
  fresh.uuid = "c0ffee00-0000-4000-8000-" +
               std::to_string(100000000000ULL + std::hash<std::string>{}(storage_key(s, d)) %
                                                    900000000000ULL);
  s.storage[storage_key(s, d)] = std::move(fresh);
  s.storage.erase("snap:" + storage_key(s, d));  // mke2fs/mkfs.xfs zero a COW store's header
  note_write(s, d, 64 * 4096);  // superblocks, group descriptors, journal
  return Ok();
}

namespace {

Result<void> mount_any(SimState& s, std::string_view device, std::string_view target, FsType type,
                       DaxMode dax, bool read_only) {
  DAXD_ASSIGN_OR_RETURN(auto const d, block_device(s, device));
  if (type == FsType::none) return Fail(Errc::invalid_argument, d.node + ": no filesystem type given");
  if (mount_at(s, target) != nullptr) {
    return Fail(Errc::busy, std::string(target) + ": busy: something is already mounted there");
  }
  auto holders = device_blockers(s, d);  // mount claims the device exclusively, as dm does
  std::erase_if(holders, [](Consumer const& c) { return c.kind != ConsumerKind::holder; });
  if (!holders.empty()) return busy_error(d.node, std::move(holders));
  DAXD_TRY(check_mounted_elsewhere(s, d, read_only));
  if (suspended(s, d)) return Fail(Errc::busy, d.node + ": busy: dm device is suspended");
  auto const it = s.storage.find(storage_key(s, d));
  if (it == s.storage.end() || it->second.signature.empty()) {
    return Fail(Errc::invalid_argument,
                d.node + ": wrong fs type, bad option, bad superblock: no filesystem");
  }
  if (it->second.signature != to_string(type)) {
    return Fail(Errc::invalid_argument, d.node + ": wrong fs type: holds " + it->second.signature);
  }
  if (!read_only) DAXD_TRY(check_xfs_uuid(s, d, it->second));  // ro mounts pass nouuid
  if (dax == DaxMode::always && !d.dax) {
    return Fail(Errc::invalid_argument, d.node + ": mount with dax=always refused: " +
                                            (type == FsType::xfs ? "XFS (" : "EXT4-fs (") +
                                            d.kname + "): DAX unsupported by block device.");
  }
  std::string const source = d.kind == DevKind::dm ? "/dev/mapper/" + d.owner : d.node;
  SimMount m{d.kname, source, std::string(target), type, dax, dax == DaxMode::always, false};
  m.read_only = read_only;
  s.mounts.push_back(std::move(m));
  return Ok();
}

}  // namespace

Result<void> mount_fs(SimState& s, std::string_view device, std::string_view target, FsType type,
                      DaxMode dax) {
  return mount_any(s, device, target, type, dax, /*read_only=*/false);
}

Result<void> mount_read_only_fs(SimState& s, std::string_view device, std::string_view target,
                                FsType type) {
  return mount_any(s, device, target, type, DaxMode::never, /*read_only=*/true);
}

Result<void> unmount_fs(SimState& s, std::string_view target) {
  auto* m = mount_at(s, target);
  if (m == nullptr) return Fail(Errc::not_found, std::string(target) + ": not mounted");
  // Unmounting a frozen filesystem can hang on the real kernel; daxd must thaw first.
  if (m->frozen) return Fail(Errc::busy, std::string(target) + ": busy: filesystem is frozen");
  auto const d = find_device(s, m->device);
  std::vector<Consumer> holders;
  for (auto const& p : s.processes) {
    for (auto const& u : p.uses) {
      if (d && !u.device_node && u.dev == d->dev) {
        holders.push_back(Consumer{u.kind, p.pid, p.command, u.path, u.map_sync, u.dax});
      }
    }
  }
  if (!holders.empty()) {
    return Error{Errc::busy, std::string(target) + ": target is busy", std::move(holders)};
  }
  std::erase_if(s.mounts, [&](SimMount const& x) { return x.target == target; });
  return Ok();
}

Result<void> freeze_fs(SimState& s, std::string_view target) {
  auto* m = mount_at(s, target);
  if (m == nullptr) return Fail(Errc::not_found, std::string(target) + ": not mounted");
  if (m->frozen) return Fail(Errc::busy, std::string(target) + ": busy: already frozen");
  m->frozen = true;
  return Ok();
}

Result<void> thaw_fs(SimState& s, std::string_view target) {
  auto* m = mount_at(s, target);
  if (m == nullptr) return Fail(Errc::not_found, std::string(target) + ": not mounted");
  m->frozen = false;
  return Ok();
}

Result<std::string> probe_signature(SimState const& s, std::string_view device) {
  DAXD_ASSIGN_OR_RETURN(auto const d, block_device(s, device));
  auto const it = s.storage.find(storage_key(s, d));
  return it == s.storage.end() ? std::string{} : it->second.signature;
}

Result<void> write_file(SimState& s, std::string_view device, std::string const& path,
                        std::string bytes) {
  DAXD_ASSIGN_OR_RETURN(auto const d, block_device(s, device));
  auto const it = s.storage.find(storage_key(s, d));
  if (it == s.storage.end() || it->second.signature.empty()) {
    return Fail(Errc::invalid_argument, d.node + ": no filesystem to write " + path + " to");
  }
  if (auto const* m = mount_of_device(s, d.kname); m != nullptr && m->frozen) {
    return Fail(Errc::busy, d.node + ": busy: filesystem at " + m->target + " is frozen");
  }
  if (suspended(s, d)) return Fail(Errc::busy, d.node + ": busy: dm device is suspended");
  if (auto const* m = mount_of_device(s, d.kname); m != nullptr && m->read_only) {
    return error_from_errno(EROFS, d.node + ": cannot write " + path + ": mounted read-only at " +
                                       m->target);
  }
  inherit_on_create(it->second, path);  // a new file takes its directory's FS_XFLAG_DAX
  auto const size = bytes.size();
  it->second.files[path] = std::move(bytes);
  note_write(s, d, size);
  return Ok();
}

Result<std::string> read_file(SimState const& s, std::string_view device, std::string const& path) {
  DAXD_ASSIGN_OR_RETURN(auto const d, block_device(s, device));
  auto const it = s.storage.find(storage_key(s, d));
  if (it == s.storage.end() || !it->second.files.contains(path)) {
    return Fail(Errc::not_found, d.node + ": no file " + path);
  }
  return it->second.files.at(path);
}

}  // namespace daxd::host::sim
