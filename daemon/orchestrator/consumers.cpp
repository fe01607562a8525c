// SPDX-License-Identifier: Apache-2.0
// Consumer discovery joins three host views; the process scan is the expensive one, so it asks
// once for the device and for the filesystem on it together.
#include "daemon/orchestrator/consumers.h"

#include <string>

namespace daxd::orchestrator {
namespace {

std::string dev_path(Namespace const& ns) {
  if (!ns.blockdev.empty()) return "/dev/" + ns.blockdev;
  if (!ns.chardev.empty()) return "/dev/" + ns.chardev;
  return {};
}

bool table_uses(DmDevice const& dm, Namespace const& ns, std::string const& path) {
  std::string const number = std::to_string(ns.devno.major) + ":" + std::to_string(ns.devno.minor);
  for (auto const& t : dm.table) {
    // libdevmapper prints devices as MAJ:MIN; hand-made tables may name the node.
    auto const has = [&](std::string const& needle) {
      auto const at = t.params.find(needle);
      if (at == std::string::npos) return false;
      auto const end = at + needle.size();
      return (at == 0 || t.params[at - 1] == ' ') &&
             (end == t.params.size() || t.params[end] == ' ');
    };
    if ((ns.devno.major != 0 && has(number)) || (!path.empty() && has(path))) return true;
  }
  return false;
}

}  // namespace

std::string describe(Consumer const& c) {
  std::string out;
  if (c.pid != 0) {
    out = "pid " + std::to_string(c.pid) + " (" + c.command + "): ";
  } else if (!c.command.empty()) {
    out = c.command + ": ";
  }
  out += std::string(to_string(c.kind));
  if (!c.path.empty()) out += " " + c.path;
  if (c.map_sync) out += " (MAP_SYNC)";
  return out;
}

Result<std::vector<Consumer>> namespace_consumers(host::Host& host, Namespace const& ns) {
  std::vector<Consumer> found;
  std::string const path = dev_path(ns);
  host::ConsumerQuery query;
  if (ns.devno.major != 0) query.devices.push_back(ns.devno);

  DAXD_ASSIGN_OR_RETURN(auto const mounts, host.filesystems().list_mounts());
  for (auto const& m : mounts) {
    bool const same_dev = ns.devno.major != 0 && m.dev == ns.devno;
    if (!same_dev && (path.empty() || m.source != path)) continue;
    found.push_back(
        Consumer{ConsumerKind::mount, 0, "", m.target, false, !m.dax.empty() && m.dax != "never"});
    query.filesystems.push_back(m.dev);
  }
  DAXD_ASSIGN_OR_RETURN(auto const tables, host.device_mapper().list_devices());
  for (auto const& dm : tables) {
    if (table_uses(dm, ns, path)) {
      found.push_back(
          Consumer{ConsumerKind::holder, 0, dm.name, "/dev/mapper/" + dm.name, false, dm.dax});
    }
  }
  if (!query.devices.empty() || !query.filesystems.empty()) {
    DAXD_ASSIGN_OR_RETURN(auto procs, host.processes().find_consumers(query));
    for (auto& p : procs) found.push_back(std::move(p));
  }
  return found;
}

}  // namespace daxd::orchestrator
