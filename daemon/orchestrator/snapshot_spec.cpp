// SPDX-License-Identifier: Apache-2.0
// Snapshot specs, their stored records, and the dm tables of the snapshot stacks. Tables name
// devices as MAJ:MIN read fresh from the host: dm minors change across reboots and re-creation.
#include "daemon/orchestrator/snapshot_spec.h"

#include "daemon/model/json.h"
#include "daemon/orchestrator/volume_spec.h"

namespace daxd::orchestrator {
namespace {

using nlohmann::json;

// The COW exception store's chunk: 8 sectors (4 KiB), the page size DAX users write in.
constexpr char kChunkSectors[] = "8";

Result<std::int64_t> optional_int(json const& j, char const* key, std::int64_t fallback) {
  auto const it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_number_integer()) {
    return Fail(Errc::invalid_argument, std::string("snapshot: '") + key + "' must be an integer");
  }
  return it->get<std::int64_t>();
}

Result<std::vector<Extent>> parse_extents(json const& j) {
  std::vector<Extent> out;
  auto const it = j.find("extents");
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) return Fail(Errc::invalid_argument, "snapshot: 'extents' must be a list");
  for (auto const& e : *it) {
    if (!e.is_object()) return Fail(Errc::invalid_argument, "snapshot: bad extent");
    Extent x;
    DAXD_ASSIGN_OR_RETURN(x.namespace_name, optional_string(e, "namespace", ""));
    DAXD_ASSIGN_OR_RETURN(x.offset, optional_size(e, "offset", 0));
    DAXD_ASSIGN_OR_RETURN(x.length, optional_size(e, "length", 0));
    out.push_back(std::move(x));
  }
  return out;
}

Result<Snapshot> snapshot_from_json(json const& j) {
  if (!j.is_object()) return Fail(Errc::invalid_argument, "snapshot must be an object");
  Snapshot s;
  DAXD_ASSIGN_OR_RETURN(s.name, optional_string(j, "name", ""));
  DAXD_ASSIGN_OR_RETURN(s.volume, optional_string(j, "volume", ""));
  if (s.name.empty() || s.volume.empty()) {
    return Fail(Errc::invalid_argument, "snapshot needs 'name' and 'volume'");
  }
  DAXD_ASSIGN_OR_RETURN(std::string const method, optional_string(j, "method", "copy"));
  DAXD_ASSIGN_OR_RETURN(s.method, parse_snapshot_method(method));
  DAXD_ASSIGN_OR_RETURN(s.size, optional_size(j, "size", 0));
  DAXD_ASSIGN_OR_RETURN(s.created_at, optional_int(j, "created_at", 0));
  DAXD_ASSIGN_OR_RETURN(s.dm_name,
                        optional_string(j, "dm_name", snapshot_dm_name(s.volume, s.name)));
  // The nominal capability; list_snapshots replaces it by the live device's.
  s.dax_capable = s.method == SnapshotMethod::copy;
  DAXD_ASSIGN_OR_RETURN(s.extents, parse_extents(j));
  DAXD_ASSIGN_OR_RETURN(s.store_size, optional_size(j, "store_size", 0));
  DAXD_ASSIGN_OR_RETURN(s.mountpoint, optional_string(j, "mountpoint", ""));
  DAXD_ASSIGN_OR_RETURN(s.operation_id, optional_int(j, "operation", 0));
  DAXD_ASSIGN_OR_RETURN(s.stopped_ms, optional_int(j, "stopped_ms", -1));
  DAXD_ASSIGN_OR_RETURN(s.frozen_ms, optional_int(j, "frozen_ms", -1));
  return s;
}

Result<std::string> devno_of(host::Host& host, std::string const& dm_name) {
  DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(host, dm_name));
  if (!dm) return Fail(Errc::not_found, dm_name + ": no such dm device");
  return std::to_string(dm->dev.major) + ":" + std::to_string(dm->dev.minor);
}

}  // namespace

json snapshot_spec(Snapshot const& s) {
  json j = s;
  j.erase("state");
  j.erase("dax_capable");
  return j;
}

Result<Snapshot> request_snapshot(json const& r, char const* key) {
  if (!r.is_object() || !r.contains(key)) {
    return Fail(Errc::invalid_argument, std::string("request lacks '") + key + "'");
  }
  return snapshot_from_json(r.at(key));
}

std::string snapshot_dm_uuid(std::string const& dm_name) {
  std::string const prefix = "daxd-";
  if (dm_name.rfind(prefix, 0) == 0) return "DAXD-" + dm_name.substr(prefix.size());
  return "DAXD-" + dm_name;
}

json stored_volume_spec(Volume const& v) {
  json j = volume_spec(v);
  if (!v.dax_capable) j["dax_capable"] = false;
  return j;
}

Result<bool> put_snapshot_record(state::DesiredState& desired, Snapshot const& s) {
  return desired.put_snapshot(s.volume, s.name, snapshot_spec(s).dump());
}

Result<Snapshot> desired_snapshot(state::DesiredState& desired, std::string const& volume,
                                  std::string const& name) {
  DAXD_ASSIGN_OR_RETURN(auto const stored, desired.get_snapshot(volume, name));
  auto const spec = json::parse(stored.spec_json, nullptr, /*allow_exceptions=*/false);
  return snapshot_from_json(spec);
}

Result<std::vector<Snapshot>> desired_snapshots(state::DesiredState& desired,
                                                std::string const& volume) {
  DAXD_ASSIGN_OR_RETURN(auto const stored, desired.snapshots(volume));
  std::vector<Snapshot> out;
  for (auto const& rec : stored) {
    auto const spec = json::parse(rec.spec_json, nullptr, /*allow_exceptions=*/false);
    auto s = snapshot_from_json(spec);
    if (!s) {
      return Fail(Errc::invalid_argument, "snapshot '" + rec.volume + "@" + rec.name +
                                              "': unreadable record: " + s.error().message);
    }
    out.push_back(std::move(*s));
  }
  return out;
}

Result<std::vector<DmTarget>> store_table(host::Host& host, Snapshot const& s) {
  Volume store;
  store.name = s.dm_name.empty() ? snapshot_dm_name(s.volume, s.name) : s.dm_name;
  store.layout = VolumeLayout::linear;
  store.extents = s.extents;
  return volume_table(host, store);
}

Result<std::vector<DmTarget>> origin_table(host::Host& host, Volume const& v) {
  DAXD_ASSIGN_OR_RETURN(std::string const real, devno_of(host, origin_real_dm_name(v.name)));
  return std::vector<DmTarget>{DmTarget{0, v.size / 512, "snapshot-origin", real}};
}

Result<std::vector<DmTarget>> cow_snapshot_table(host::Host& host, Volume const& v,
                                                 Snapshot const& s, bool merge) {
  DAXD_ASSIGN_OR_RETURN(std::string const real, devno_of(host, origin_real_dm_name(v.name)));
  DAXD_ASSIGN_OR_RETURN(std::string const cow,
                        devno_of(host, snapshot_cow_dm_name(v.name, s.name)));
  std::string const type = merge ? "snapshot-merge" : "snapshot";
  // P: persistent, so the exceptions survive a reboot and the snapshot can be rebuilt.
  return std::vector<DmTarget>{
      DmTarget{0, v.size / 512, type, real + " " + cow + " P " + kChunkSectors}};
}

}  // namespace daxd::orchestrator
