// SPDX-License-Identifier: Apache-2.0
// Per-file DAX as Documentation/filesystems/dax.rst describes it: the persistent FS_XFLAG_DAX,
// the in-memory S_DAX fixed when the inode is loaded, "don't cache" on a change, eviction when
// the last user goes or on drop_caches, inheritance by entries created later.
#include "daemon/host/sim/sim_file_dax.h"

#include <algorithm>

#include "daemon/host/sim/sim_rules.h"

namespace daxd::host::sim {
namespace {

bool under(std::string const& path, std::string const& target) {
  if (target == "/") return path.starts_with("/");
  return path == target || path.starts_with(target + "/");
}

std::string parent_of(std::string const& fs_path) {
  auto const slash = fs_path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : fs_path.substr(0, slash);
}

std::string join(std::string const& dir, std::string const& rest) {
  if (rest.empty() || rest == "/") return dir.empty() ? "/" : dir;
  return (dir == "/" ? "" : dir) + rest;
}

/// The path inside the filesystem mounted at `target` of an absolute path under it.
std::string fs_path_of(std::string const& abs_path, std::string const& target) {
  std::string rel = target == "/" ? abs_path : abs_path.substr(target.size());
  return rel.empty() ? "/" : rel;
}

enum class Kind { none, file, directory };

Kind kind_of(SimStorage const& st, std::string const& fs_path) {
  if (fs_path == "/") return Kind::directory;
  if (st.files.contains(fs_path)) return Kind::file;
  auto const it = st.inodes.find(fs_path);
  if (it != st.inodes.end()) return it->second.directory ? Kind::directory : Kind::file;
  std::string const prefix = fs_path + "/";
  auto const has_child = [&](auto const& map) {
    auto const c = map.lower_bound(prefix);
    return c != map.end() && c->first.starts_with(prefix);
  };
  return has_child(st.files) || has_child(st.inodes) ? Kind::directory : Kind::none;
}

bool flag_of(SimStorage const& st, std::string const& fs_path) {
  auto const it = st.inodes.find(fs_path);
  return it != st.inodes.end() && it->second.dax_flag;
}

SimStorage* storage_of(SimState& s, SimMount const& m) {
  auto const d = find_device(s, m.device);
  if (!d) return nullptr;
  auto const it = s.storage.find(storage_key(s, *d));
  return it == s.storage.end() ? nullptr : &it->second;
}

bool held(SimState const& s, SimMount const& m, std::string const& abs_path) {
  auto const d = find_device(s, m.device);
  if (!d) return false;
  return std::any_of(s.processes.begin(), s.processes.end(), [&](SimProcess const& p) {
    return std::any_of(p.uses.begin(), p.uses.end(), [&](SimUse const& u) {
      return !u.device_node && u.dev == d->dev && u.path == abs_path;
    });
  });
}

// S_DAX as the kernel decides it when it instantiates the inode.
bool s_dax_at_load(SimState const& s, SimMount const& m, SimStorage const& st,
                   std::string const& fs_path) {
  if (kind_of(st, fs_path) != Kind::file) return false;  // directories never show S_DAX
  switch (m.dax) {
    case DaxMode::always:
      return m.dax_active;
    case DaxMode::never:
      return false;
    case DaxMode::inode: {
      auto const d = find_device(s, m.device);
      return d && d->dax && flag_of(st, fs_path);
    }
  }
  return false;
}

struct Resolved {
  SimMount* mount = nullptr;
  SimStorage* storage = nullptr;
  std::string fs_path;   // "/a/b"
  std::string abs_path;  // "/mnt/db/a/b"
  Kind kind = Kind::none;
};

// openat2(RESOLVE_BENEATH | RESOLVE_NO_XDEV): ".." may not climb above the root, and the walk
// may not enter another mount (the sim has no symlinks).
Result<Resolved> resolve(SimState& s, std::string_view root, std::string_view path) {
  std::string const shown = std::string(root) + "/" + std::string(path);
  Resolved r;
  r.mount = mount_at(s, root);
  if (r.mount == nullptr) return Fail(Errc::not_found, std::string(root) + ": not a mountpoint");
  r.storage = storage_of(s, *r.mount);
  if (r.storage == nullptr) return Fail(Errc::io_error, std::string(root) + ": no filesystem");
  std::vector<std::string> parts;
  auto const here = [&] {
    std::string out;
    for (auto const& p : parts) out += "/" + p;
    return out.empty() ? std::string("/") : out;
  };
  std::size_t pos = 0;
  while (pos <= path.size()) {
    auto const next = std::min(path.find('/', pos), path.size());
    std::string const part(path.substr(pos, next - pos));
    pos = next + 1;
    if (part.empty() || part == ".") continue;
    // The walk steps through directories only, as the kernel's does (ENOENT, ENOTDIR).
    Kind const k = kind_of(*r.storage, here());
    if (k == Kind::none) return Fail(Errc::not_found, shown + ": no such file or directory");
    if (k == Kind::file) return Fail(Errc::invalid_argument, shown + ": not a directory");
    if (part != "..") {
      parts.push_back(part);
    } else if (parts.empty()) {
      return Fail(Errc::invalid_argument,
                  shown + ": leaves the filesystem at " + std::string(root));
    } else {
      parts.pop_back();
    }
  }
  r.fs_path = here();
  r.abs_path = join(r.mount->target, r.fs_path == "/" ? "" : r.fs_path);
  for (auto const& other : s.mounts) {
    if (&other != r.mount && other.target.size() > r.mount->target.size() &&
        under(other.target, r.mount->target) && under(r.abs_path, other.target)) {
      return Fail(Errc::invalid_argument, shown + ": crosses into the mount at " + other.target);
    }
  }
  r.kind = kind_of(*r.storage, r.fs_path);
  if (r.kind == Kind::none) return Fail(Errc::not_found, shown + ": no such file or directory");
  return r;
}

SimCachedInode& load(SimState& s, Resolved const& r) {
  auto const it = r.mount->inode_cache.find(r.fs_path);
  if (it != r.mount->inode_cache.end()) return it->second;
  SimCachedInode& c = r.mount->inode_cache[r.fs_path];
  c.s_dax = s_dax_at_load(s, *r.mount, *r.storage, r.fs_path);
  return c;
}

// Our own reference goes (the fd closes, the path walk ends): a "don't cache" inode without
// other users is evicted now.
void drop_reference(SimState& s, Resolved const& r) {
  auto const it = r.mount->inode_cache.find(r.fs_path);
  if (it != r.mount->inode_cache.end() && it->second.dontcache && !it->second.pinned &&
      !held(s, *r.mount, r.abs_path)) {
    r.mount->inode_cache.erase(it);
  }
}

}  // namespace

std::uint64_t sim_inode_number(std::string const& fs_path) {
  if (fs_path == "/") return 2;
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across runs and builds
  for (char c : fs_path) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return (h % 0xffffffffULL) + 12;  // above ext4's reserved inodes
}

Result<FileDaxState> file_dax_state(SimState& s, std::string_view root, std::string_view path) {
  DAXD_ASSIGN_OR_RETURN(Resolved const r, resolve(s, root, path));
  SimCachedInode const c = load(s, r);
  FileDaxState out;
  out.path = r.abs_path;
  out.directory = r.kind == Kind::directory;
  out.dax_flag = flag_of(*r.storage, r.fs_path);
  out.effective_dax = c.s_dax;
  if (auto const d = find_device(s, r.mount->device)) out.dev = d->dev;
  out.inode = sim_inode_number(r.fs_path);
  drop_reference(s, r);
  return out;
}

Result<void> set_file_dax(SimState& s, std::string_view root, std::string_view path, bool on) {
  DAXD_ASSIGN_OR_RETURN(Resolved const r, resolve(s, root, path));
  if (r.mount->frozen) return Fail(Errc::busy, r.abs_path + ": busy: the filesystem is frozen");
  SimCachedInode& c = load(s, r);
  if (flag_of(*r.storage, r.fs_path) != on) {
    SimInodeAttrs& a = r.storage->inodes[r.fs_path];
    a.directory = r.kind == Kind::directory;
    a.dax_flag = on;
    // ext4_dax_dontcache / xfs_ioctl_setattr_prepare_dax: files only, dax=inode mounts only.
    if (r.kind == Kind::file && r.mount->dax == DaxMode::inode) c.dontcache = true;
  }
  drop_reference(s, r);
  return Ok();
}

Result<void> evict_inodes(SimState& s, std::string_view root) {
  if (mount_at(s, root) == nullptr) {
    return Fail(Errc::not_found, std::string(root) + ": not a mountpoint");
  }
  // vm.drop_caches is global: every unused inode of every filesystem goes.
  for (auto& m : s.mounts) {
    std::erase_if(m.inode_cache, [&](auto const& entry) {
      return !entry.second.pinned &&
             !held(s, m, join(m.target, entry.first == "/" ? "" : entry.first));
    });
  }
  return Ok();
}

void inherit_on_create(SimStorage& storage, std::string const& path) {
  if (path.empty() || path == "/" || kind_of(storage, path) != Kind::none) return;
  std::string const parent = parent_of(path);
  if (parent != "/" && kind_of(storage, parent) == Kind::none) {
    inherit_on_create(storage, parent);
    storage.inodes[parent].directory = true;  // created now, as mkdir -p would
  }
  if (flag_of(storage, parent)) storage.inodes[path].dax_flag = true;
}

Result<void> make_directory(SimState& s, std::string_view device, std::string const& path) {
  auto const d = find_device(s, device);
  if (!d) return Fail(Errc::not_found, std::string(device) + ": no such device");
  auto const it = s.storage.find(storage_key(s, *d));
  if (it == s.storage.end() || it->second.signature.empty()) {
    return Fail(Errc::invalid_argument, d->node + ": no filesystem to make " + path + " on");
  }
  Kind const kind = kind_of(it->second, path);
  if (kind == Kind::file) return Fail(Errc::already_exists, d->node + ": " + path + " is a file");
  if (kind == Kind::directory) return Ok();
  inherit_on_create(it->second, path);
  it->second.inodes[path].directory = true;
  return Ok();
}

std::optional<bool> load_inode(SimState& s, SimMount& m, std::string const& abs_path) {
  Resolved r;
  r.mount = &m;
  r.storage = storage_of(s, m);
  if (r.storage == nullptr || !under(abs_path, m.target)) return std::nullopt;
  r.fs_path = fs_path_of(abs_path, m.target);
  r.abs_path = abs_path;
  r.kind = kind_of(*r.storage, r.fs_path);
  if (r.kind == Kind::none) return std::nullopt;
  return load(s, r).s_dax;
}

void release_inodes(SimState& s) {
  for (auto& m : s.mounts) {
    std::erase_if(m.inode_cache, [&](auto const& entry) {
      return entry.second.dontcache && !entry.second.pinned &&
             !held(s, m, join(m.target, entry.first == "/" ? "" : entry.first));
    });
  }
}

bool use_is_file(SimState const& s, SimUse const& u, std::vector<FileId> const& files) {
  if (u.device_node || files.empty()) return false;
  for (auto const& m : s.mounts) {
    auto const d = find_device(s, m.device);
    if (!d || d->dev != u.dev || !under(u.path, m.target)) continue;
    FileId const id{u.dev, sim_inode_number(fs_path_of(u.path, m.target))};
    return std::find(files.begin(), files.end(), id) != files.end();
  }
  return false;
}

}  // namespace daxd::host::sim
