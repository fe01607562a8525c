// SPDX-License-Identifier: Apache-2.0
// Simulated processes: what they hold (fds, DAX/MAP_SYNC mappings, cwd) and how they exit.
#include <algorithm>
#include <csignal>

#include "daemon/host/sim/sim_file_dax.h"
#include "daemon/host/sim/sim_ops.h"
#include "daemon/host/sim/sim_rules.h"

namespace daxd::host::sim {
namespace {

bool under(std::string const& path, std::string const& target) {
  if (target == "/") return true;
  return path == target || path.rfind(target + "/", 0) == 0;
}

// What open()/mmap()/chdir() would pin: the device node itself or the filesystem holding path.
Result<void> resolve_use(SimState& s, SimUse& u) {
  bool const mapping = u.kind == ConsumerKind::mapping;
  if (!mapping) u.map_sync = false;
  if (u.path.rfind("/dev/", 0) == 0) {
    auto const d = find_device(s, u.path);
    if (!d) return Fail(Errc::not_found, u.path + ": no such device");
    u.device_node = true;
    u.dev = d->dev;
    u.dax = mapping && d->kind == DevKind::dax;
  } else {
    SimMount* best = nullptr;
    for (auto& m : s.mounts) {
      if (under(u.path, m.target) && (best == nullptr || m.target.size() > best->target.size()))
        best = &m;
    }
    u.device_node = false;
    u.dev = DevNumber{};
    u.dax = false;
    if (best != nullptr) {
      if (auto const d = find_device(s, best->device)) u.dev = d->dev;
      u.dax = (mapping || u.kind == ConsumerKind::fd) && best->dax_active;
      // Opening a file loads its inode; under dax=inode its S_DAX follows FS_XFLAG_DAX.
      auto const s_dax = load_inode(s, *best, u.path);
      if (best->dax == DaxMode::inode && s_dax) {
        u.dax = (mapping || u.kind == ConsumerKind::fd) && *s_dax;
      }
    }
  }
  if (u.map_sync && !u.dax) {
    return Fail(Errc::unsupported, u.path + ": mmap MAP_SYNC: Operation not supported (no DAX)");
  }
  return Ok();
}

}  // namespace

std::vector<Consumer> find_consumers(SimState const& s, ConsumerQuery const& query) {
  auto const has = [](std::vector<DevNumber> const& v, DevNumber d) {
    return std::find(v.begin(), v.end(), d) != v.end();
  };
  std::vector<Consumer> out;
  for (auto const& p : s.processes) {
    for (auto const& u : p.uses) {
      bool const hit = u.device_node ? has(query.devices, u.dev)
                                     : has(query.filesystems, u.dev) || use_is_file(s, u, query.files);
      if (hit && !(u.dev == DevNumber{})) {
        out.push_back(Consumer{u.kind, p.pid, p.command, u.path, u.map_sync, u.dax});
      }
    }
  }
  return out;
}

Result<void> send_signal(SimState& s, int pid, int signal) {
  auto const it = std::find_if(s.processes.begin(), s.processes.end(),
                               [&](SimProcess const& p) { return p.pid == pid; });
  if (it == s.processes.end())
    return Fail(Errc::not_found, "pid " + std::to_string(pid) + ": no such process");
  bool const fatal =
      signal == SIGKILL ||
      ((signal == SIGTERM || signal == SIGINT || signal == SIGHUP) && !it->ignore_sigterm);
  if (fatal) {
    s.processes.erase(it);  // it exits: its fds, mappings and cwd go away
    release_inodes(s);      // ... and "don't cache" inodes it was the last user of
  }
  return Ok();
}

Result<void> add_process(SimState& s, SimProcess p) {
  if (p.pid <= 0) return Fail(Errc::invalid_argument, "pid must be positive");
  bool const exists = std::any_of(s.processes.begin(), s.processes.end(),
                                  [&](SimProcess const& x) { return x.pid == p.pid; });
  if (exists) return Fail(Errc::already_exists, "pid " + std::to_string(p.pid) + " exists");
  for (auto& u : p.uses) DAXD_TRY(resolve_use(s, u));
  s.processes.push_back(std::move(p));
  return Ok();
}

Result<void> remove_process(SimState& s, int pid) {
  auto const n = std::erase_if(s.processes, [&](SimProcess const& p) { return p.pid == pid; });
  if (n == 0) return Fail(Errc::not_found, "pid " + std::to_string(pid) + ": no such process");
  release_inodes(s);
  return Ok();
}

}  // namespace daxd::host::sim
