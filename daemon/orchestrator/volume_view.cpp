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

VolumeState state_of(Volume const& v, DmDevice const* dm, std::vector<MountEntry> const& mounts) {
  if (dm == nullptr) return VolumeState::failed;
  bool const broken = std::any_of(dm->table.begin(), dm->table.end(),
                                  [](DmTarget const& t) { return t.type == "error"; });
  if (dm->suspended || broken) return VolumeState::degraded;
  if (v.mountpoint.empty() || v.filesystem == FsType::none) return VolumeState::active;
  MountEntry const* m = mount_of(mounts, *dm, v.mountpoint);
  if (m == nullptr) return VolumeState::unmounted;
  return dax_differs(*m, v.dax) ? VolumeState::degraded : VolumeState::active;
}

}  // namespace

std::vector<Volume> build_volume_view(std::vector<Volume> const& desired,
                                      std::vector<DmDevice> const& dm_devices,
                                      std::vector<MountEntry> const& mounts) {
  std::vector<Volume> out;
  for (Volume v : desired) {
    if (v.dm_name.empty()) v.dm_name = dm_name_for(v.name);
    DmDevice const* dm = dm_of(dm_devices, v.dm_name);
    v.state = state_of(v, dm, mounts);
    v.blockdev = dm == nullptr ? "" : "dm-" + std::to_string(dm->dev.minor);
    v.dax_capable = dm != nullptr && dm->dax;
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(),
            [](Volume const& a, Volume const& b) { return a.name < b.name; });
  return out;
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
  return build_volume_view(specs, dms, mounts);
}

}  // namespace daxd::orchestrator
