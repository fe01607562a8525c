// SPDX-License-Identifier: Apache-2.0
// Volume states are derived, never stored: the kernel is the truth about what exists now.
#include "daemon/orchestrator/volume_view.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "daemon/model/json.h"

namespace daxd::orchestrator {
namespace {

DmDevice const* dm_of(std::vector<DmDevice> const& all, std::string const& name) {
  auto const it =
      std::find_if(all.begin(), all.end(), [&](DmDevice const& d) { return d.name == name; });
  return it == all.end() ? nullptr : &*it;
}

MountEntry const* mount_of(std::vector<MountEntry> const& all, DmDevice const& dm,
                           std::string const& target) {
  std::string const node = "/dev/mapper/" + dm.name;
  auto const it = std::find_if(all.begin(), all.end(), [&](MountEntry const& m) {
    return m.target == target && (m.source == node || m.dev == dm.dev);
  });
  return it == all.end() ? nullptr : &*it;
}

bool dax_differs(MountEntry const& m, DaxMode wanted) {
  // xfs shows no dax= option for inode, its default.
  std::string const shown = m.dax.empty() ? "inode" : m.dax;
  return shown != to_string(wanted);
}

struct StateAndReason {
  VolumeState state = VolumeState::active;
  std::string reason;
};

StateAndReason state_of(Volume const& v, DmDevice const* dm,
                        std::vector<MountEntry> const& mounts) {
  if (dm == nullptr) return {VolumeState::failed, "dm device " + v.dm_name + " is missing"};
  bool const broken = std::any_of(dm->table.begin(), dm->table.end(),
                                  [](DmTarget const& t) { return t.type == "error"; });
  if (broken) return {VolumeState::degraded, v.dm_name + " carries an error target"};
  if (dm->suspended) return {VolumeState::degraded, v.dm_name + " is suspended"};
  if (v.mountpoint.empty() || v.filesystem == FsType::none) return {};
  MountEntry const* m = mount_of(mounts, *dm, v.mountpoint);
  if (m == nullptr) return {VolumeState::unmounted, ""};
  // While cow snapshots suspend DAX (the stored spec says so) the origin is mounted dax=never.
  DaxMode const expected = v.dax_capable ? v.dax : DaxMode::never;
  if (!dax_differs(*m, expected)) return {};
  return {VolumeState::degraded, v.mountpoint + " is mounted with dax=" +
                                     (m->dax.empty() ? std::string("inode") : m->dax) +
                                     ", desired dax=" + std::string(to_string(expected))};
}

// Why the volume's namespaces cannot carry it, or "".
std::string namespace_problem(Volume const& v, std::vector<Namespace> const& namespaces) {
  for (auto const& x : v.extents) {
    auto const it = std::find_if(namespaces.begin(), namespaces.end(),
                                 [&](Namespace const& n) { return n.name == x.namespace_name; });
    if (it == namespaces.end()) return "namespace '" + x.namespace_name + "' is gone";
    if (it->mode != NamespaceMode::fsdax || it->blockdev.empty()) {
      return "namespace '" + x.namespace_name + "' is not an enabled fsdax namespace";
    }
  }
  return "";
}

// "MAJ:MIN" words of a linear or striped table that name no namespace's device, or "".
std::string stale_reference(DmDevice const& dm, std::vector<Namespace> const& namespaces) {
  for (auto const& t : dm.table) {
    if (t.type != "linear" && t.type != "striped") continue;
    std::size_t pos = 0;
    while (pos < t.params.size()) {
      std::size_t const end = std::min(t.params.find(' ', pos), t.params.size());
      std::string const word = t.params.substr(pos, end - pos);
      pos = end + 1;
      if (word.find(':') == std::string::npos) continue;
      bool const known = std::any_of(namespaces.begin(), namespaces.end(), [&](Namespace const& n) {
        return std::to_string(n.devno.major) + ":" + std::to_string(n.devno.minor) == word ||
               "/dev/" + n.blockdev == word;
      });
      if (!known) return word;
    }
  }
  return "";
}

std::vector<Volume> build_view(std::vector<Volume> const& desired,
                               std::vector<DmDevice> const& dm_devices,
                               std::vector<MountEntry> const& mounts,
                               std::vector<Namespace> const* namespaces) {
  std::vector<Volume> out;
  for (Volume v : desired) {
    if (v.dm_name.empty()) v.dm_name = dm_name_for(v.name);
    DmDevice const* dm = dm_of(dm_devices, v.dm_name);
    auto [state, reason] = state_of(v, dm, mounts);
    if (namespaces != nullptr) {
      if (auto problem = namespace_problem(v, *namespaces); !problem.empty()) {
        state = VolumeState::failed;
        reason = std::move(problem);
      } else if (auto const word = dm == nullptr ? "" : stale_reference(*dm, *namespaces);
                 !word.empty()) {
        state = VolumeState::failed;
        reason = v.dm_name + ": its table refers to " + word + ", which is gone";
      }
    }
    v.state = state;
    v.reason = std::move(reason);
    v.blockdev = dm == nullptr ? "" : "dm-" + std::to_string(dm->dev.minor);
    v.dax_capable = dm != nullptr && dm->dax;
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(),
            [](Volume const& a, Volume const& b) { return a.name < b.name; });
  return out;
}

}  // namespace

std::vector<Volume> build_volume_view(std::vector<Volume> const& desired,
                                      std::vector<DmDevice> const& dm_devices,
                                      std::vector<MountEntry> const& mounts) {
  return build_view(desired, dm_devices, mounts, nullptr);
}

std::vector<Volume> build_volume_view(std::vector<Volume> const& desired,
                                      std::vector<DmDevice> const& dm_devices,
                                      std::vector<MountEntry> const& mounts,
                                      std::vector<Namespace> const& namespaces) {
  return build_view(desired, dm_devices, mounts, &namespaces);
}

Result<std::vector<Volume>> desired_volumes(state::DesiredState& desired) {
  DAXD_ASSIGN_OR_RETURN(auto const stored, desired.list());
  std::vector<Volume> out;
  for (auto const& d : stored) {
    auto const spec = nlohmann::json::parse(d.spec_json, nullptr, /*allow_exceptions=*/false);
    auto v = volume_from_json(spec);
    if (!v) {
      return Fail(Errc::invalid_argument,
                  "volume '" + d.name + "': unreadable desired spec: " + v.error().message);
    }
    out.push_back(std::move(*v));
  }
  return out;
}

Result<std::vector<Volume>> current_volumes(host::Host& host, state::DesiredState& desired) {
  DAXD_ASSIGN_OR_RETURN(auto const specs, desired_volumes(desired));
  DAXD_ASSIGN_OR_RETURN(auto const dms, host.device_mapper().list_devices());
  DAXD_ASSIGN_OR_RETURN(auto const mounts, host.filesystems().list_mounts());
  DAXD_ASSIGN_OR_RETURN(auto const namespaces, host.nvdimm().list_namespaces());
  return build_volume_view(specs, dms, mounts, namespaces);
}

}  // namespace daxd::orchestrator
