// SPDX-License-Identifier: Apache-2.0
// Volume consumers are found by device number, like namespace consumers: the dm device's number
// for the node and for the filesystem mounted on it (st_dev of a mounted dm device is its rdev).
#include "daemon/orchestrator/volume_consumers.h"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "daemon/model/json.h"
#include "daemon/orchestrator/consumers.h"

namespace daxd::orchestrator {
namespace {

// Whether a table line names the device by MAJ:MIN or by node path (whole word).
bool params_name(DmTarget const& t, std::string const& needle) {
  std::size_t at = 0;
  while ((at = t.params.find(needle, at)) != std::string::npos) {
    std::size_t const end = at + needle.size();
    bool const starts = at == 0 || t.params[at - 1] == ' ';
    bool const ends = end == t.params.size() || t.params[end] == ' ';
    if (starts && ends) return true;
    at = end;
  }
  return false;
}

void add_holders(std::vector<DmDevice> const& all, DmDevice const& self,
                 std::vector<Consumer>& found) {
  std::string const number = std::to_string(self.dev.major) + ":" + std::to_string(self.dev.minor);
  std::string const node = "/dev/mapper/" + self.name;
  for (auto const& dm : all) {
    if (dm.name == self.name) continue;
    bool const holds = std::any_of(dm.table.begin(), dm.table.end(), [&](DmTarget const& t) {
      return params_name(t, number) || params_name(t, node);
    });
    if (holds) {
      found.push_back(
          Consumer{ConsumerKind::holder, 0, dm.name, "/dev/mapper/" + dm.name, false, dm.dax});
    }
  }
}

}  // namespace

Result<std::vector<Consumer>> volume_consumers(host::Host& host, Volume const& volume) {
  std::string const dm_name = volume.dm_name.empty() ? dm_name_for(volume.name) : volume.dm_name;
  DAXD_ASSIGN_OR_RETURN(auto const devices, host.device_mapper().list_devices());
  auto const self = std::find_if(devices.begin(), devices.end(),
                                 [&](DmDevice const& d) { return d.name == dm_name; });
  std::vector<Consumer> found;
  if (self == devices.end()) return found;
  std::string const node = "/dev/mapper/" + dm_name;
  host::ConsumerQuery query;
  query.devices.push_back(self->dev);
  DAXD_ASSIGN_OR_RETURN(auto const mounts, host.filesystems().list_mounts());
  for (auto const& m : mounts) {
    if (m.source != node && !(m.dev == self->dev)) continue;
    found.push_back(
        Consumer{ConsumerKind::mount, 0, "", m.target, false, !m.dax.empty() && m.dax != "never"});
    query.filesystems.push_back(m.dev);
  }
  add_holders(devices, *self, found);
  DAXD_ASSIGN_OR_RETURN(auto procs, host.processes().find_consumers(query));
  for (auto& p : procs) found.push_back(std::move(p));
  return found;
}

std::vector<Consumer> process_consumers(std::vector<Consumer> const& all) {
  std::vector<Consumer> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [](Consumer const& c) { return c.pid != 0; });
  return out;
}

std::vector<Consumer> dax_mappings(std::vector<Consumer> const& all) {
  std::vector<Consumer> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out), [](Consumer const& c) {
    return c.pid != 0 && c.kind == ConsumerKind::mapping && (c.dax || c.map_sync);
  });
  return out;
}

Error volume_busy(std::string const& volume, std::string const& verb,
                  std::vector<Consumer> blockers) {
  std::string message = "volume '" + volume + "': cannot " + verb;
  if (!blockers.empty()) {
    message += ": in use by " + describe(blockers.front());
    if (blockers.size() > 1) message += " and " + std::to_string(blockers.size() - 1) + " more";
  }
  return Error{Errc::busy, std::move(message), std::move(blockers)};
}

Result<void> require_no_dax_mapping(host::Host& host, Volume const& volume,
                                    std::string const& verb) {
  DAXD_ASSIGN_OR_RETURN(auto const all, volume_consumers(host, volume));
  auto blockers = dax_mappings(all);
  if (blockers.empty()) return Ok();
  return Fail(volume_busy(volume.name, verb, std::move(blockers)));
}

Result<std::vector<Consumer>> volume_memberships(state::DesiredState& desired,
                                                 std::string const& namespace_name) {
  DAXD_ASSIGN_OR_RETURN(auto const all, desired.list());
  std::vector<Consumer> out;
  for (auto const& d : all) {
    auto const spec = nlohmann::json::parse(d.spec_json, nullptr, /*allow_exceptions=*/false);
    DAXD_ASSIGN_OR_RETURN(Volume const v, volume_from_json(spec));
    bool const member = std::any_of(v.extents.begin(), v.extents.end(), [&](Extent const& e) {
      return e.namespace_name == namespace_name;
    });
    if (!member) continue;
    std::string const dm = v.dm_name.empty() ? dm_name_for(v.name) : v.dm_name;
    out.push_back(Consumer{ConsumerKind::holder, 0, dm, "/dev/mapper/" + dm, false, false});
  }
  return out;
}

}  // namespace daxd::orchestrator
