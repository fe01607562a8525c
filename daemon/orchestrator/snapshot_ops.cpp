// SPDX-License-Identifier: Apache-2.0
// Registration of the snapshot operations, the rules they add to the volume operations, and the
// list/get/normalise entry points the API calls.
#include "daemon/orchestrator/snapshot_ops.h"

#include <algorithm>

#include "daemon/model/json.h"
#include "daemon/model/names.h"
#include "daemon/orchestrator/snapshot_spec.h"
#include "daemon/orchestrator/snapshot_validate.h"
#include "daemon/orchestrator/volume_ops.h"
#include "daemon/orchestrator/volume_spec.h"

namespace daxd::orchestrator {
namespace {

using nlohmann::json;

std::string names_of(std::vector<Snapshot> const& all) {
  std::string out;
  for (auto const& s : all) out += (out.empty() ? "'" : ", '") + s.name + "'";
  return out;
}

// destroy-volume: a volume's snapshots would lose their origin (cow) or their record (copy).
Result<void> require_no_snapshots(state::DesiredState& desired, json const& r) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  DAXD_ASSIGN_OR_RETURN(auto const all, desired_snapshots(desired, v.name));
  if (all.empty()) return Ok();
  return Fail(Errc::conflict, "volume '" + v.name + "': cannot destroy it: it has snapshots " +
                                  names_of(all) + ": destroy them first");
}

// set-dax and grow-volume: the cow stack is not DAX-capable and its table is not the volume's.
Result<void> require_no_cow(state::DesiredState& desired, json const& r, std::string const& verb) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, request_volume(r));
  DAXD_ASSIGN_OR_RETURN(auto const all, desired_snapshots(desired, v.name));
  auto const cow = detail::cow_only(all);
  if (cow.empty()) return Ok();
  return Fail(Errc::conflict, "volume '" + v.name + "': cannot " + verb +
                                  ": DAX is suspended by its cow snapshots " + names_of(cow) +
                                  ": destroy or restore them first");
}

// Live fields: the dm device's DAX capability, "failed" when it is gone, "merging" under merge.
Result<void> add_live_fields(host::Host& host, Snapshot& s) {
  DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(host, s.dm_name));
  s.dax_capable = dm && dm->dax;
  if (!dm) {
    s.state = "failed";
    return Ok();
  }
  bool const merging = std::any_of(dm->table.begin(), dm->table.end(), [](DmTarget const& t) {
    return t.type == "snapshot-merge";
  });
  s.state = merging ? "merging" : "active";
  return Ok();
}

// The volume and snapshot specs every destroy/restore/mount request carries, and the volume's
// other snapshots (the plans decide from them whether the cow stack goes).
Result<json> snapshot_request(state::DesiredState& desired, std::string const& volume,
                              std::string const& name) {
  DAXD_ASSIGN_OR_RETURN(Volume const v, desired_volume(desired, volume));
  DAXD_ASSIGN_OR_RETURN(Snapshot const s, desired_snapshot(desired, volume, name));
  DAXD_ASSIGN_OR_RETURN(auto const all, desired_snapshots(desired, volume));
  json others = json::array();
  for (auto const& o : all) {
    if (o.name != name) others.push_back(snapshot_spec(o));
  }
  return json{{"name", name},
              {"volume", stored_volume_spec(v)},
              {"snapshot", snapshot_spec(s)},
              {"others", std::move(others)}};
}

json object_or_empty(json const& body) { return body.is_null() ? json::object() : body; }

}  // namespace

void register_snapshot_operations(Orchestrator& o, state::DesiredState& desired,
                                  state::Journal& journal, Hooks* hooks) {
  o.register_type(detail::create_snapshot_type(desired, journal, hooks));
  o.register_type(detail::destroy_snapshot_type(desired, journal, hooks));
  o.register_type(detail::restore_snapshot_type(desired, journal, hooks));
  o.register_type(detail::mount_snapshot_type(desired));
  // Absent only when the volume operations are not registered: then there is nothing to guard.
  ignore_result(o.add_preflight(kDestroyVolume, [&desired](json const& r, host::Host&) {
    return require_no_snapshots(desired, r);
  }));
  ignore_result(o.add_preflight(kSetDax, [&desired](json const& r, host::Host&) {
    return require_no_cow(desired, r, "change its dax mode");
  }));
  ignore_result(o.add_preflight(kGrowVolume, [&desired](json const& r, host::Host&) {
    return require_no_cow(desired, r, "grow it");
  }));
}

Result<json> normalise_create_snapshot(host::Host& host, state::DesiredState& desired,
                                       std::string const& volume, json const& body) {
  return detail::normalise_create(host, desired, volume, body);
}

Result<std::optional<Snapshot>> existing_snapshot(state::DesiredState& desired,
                                                  json const& create_request) {
  DAXD_ASSIGN_OR_RETURN(Snapshot const want, request_snapshot(create_request));
  auto stored = desired_snapshot(desired, want.volume, want.name);
  if (!stored && stored.error().code == Errc::not_found) return std::optional<Snapshot>();
  if (!stored) return Fail(std::move(stored).error());
  // auto may decide differently once the first snapshot exists: the method asked is compared.
  bool const any_method = create_request.value("requested_method", "") == "auto";
  bool const same = stored->extents == want.extents && stored->size == want.size &&
                    (any_method || stored->method == want.method);
  if (!same) {
    return Fail(Errc::already_exists, "snapshot '" + want.name + "' of volume '" + want.volume +
                                          "' exists with a different spec (" +
                                          snapshot_spec(*stored).dump() + ")");
  }
  return std::optional<Snapshot>(std::move(*stored));
}

Result<json> normalise_destroy_snapshot(state::DesiredState& desired, std::string const& volume,
                                        std::string const& name, json const& body) {
  json const b = object_or_empty(body);
  if (!b.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  DAXD_ASSIGN_OR_RETURN(json out, snapshot_request(desired, volume, name));
  DAXD_TRY(detail::normalise_quiesce(b, out));
  return out;
}

Result<json> normalise_restore_snapshot(state::DesiredState& desired, std::string const& volume,
                                        std::string const& name, json const& body) {
  json const b = object_or_empty(body);
  if (!b.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  DAXD_ASSIGN_OR_RETURN(json out, snapshot_request(desired, volume, name));
  DAXD_ASSIGN_OR_RETURN(Snapshot const s, request_snapshot(out));
  if (s.method == SnapshotMethod::cow) {
    // snapshot-merge rewrites the origin under every other cow snapshot of it.
    DAXD_ASSIGN_OR_RETURN(auto const all, desired_snapshots(desired, volume));
    std::vector<Snapshot> others;
    for (auto const& o : detail::cow_only(all)) {
      if (o.name != name) others.push_back(o);
    }
    if (!others.empty()) {
      return Fail(Errc::conflict, "volume '" + volume + "': cannot restore cow snapshot '" + name +
                                      "' while it has other cow snapshots " + names_of(others) +
                                      ": destroy them first");
    }
  }
  DAXD_TRY(detail::normalise_quiesce(b, out));
  return out;
}

Result<json> normalise_mount_snapshot(state::DesiredState& desired, std::string const& volume,
                                      std::string const& name, json const& body) {
  if (!body.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  if (!body.contains("mountpoint")) {
    return Fail(Errc::invalid_argument, "'mountpoint' is required (\"\" unmounts)");
  }
  DAXD_ASSIGN_OR_RETURN(std::string const mountpoint, optional_string(body, "mountpoint", ""));
  DAXD_ASSIGN_OR_RETURN(json out, snapshot_request(desired, volume, name));
  if (!mountpoint.empty()) {
    DAXD_TRY(validate_mountpoint(mountpoint));
    if (mountpoint == out.at("volume").value("mountpoint", "")) {
      return Fail(Errc::invalid_argument,
                  mountpoint + ": the volume '" + volume + "' itself is mounted there");
    }
  }
  out["mountpoint"] = mountpoint;
  return out;
}

Result<std::vector<Snapshot>> list_snapshots(host::Host& host, state::DesiredState& desired,
                                             std::string const& volume) {
  DAXD_TRY(desired_volume(desired, volume));
  DAXD_ASSIGN_OR_RETURN(auto all, desired_snapshots(desired, volume));
  for (auto& s : all) DAXD_TRY(add_live_fields(host, s));
  return all;
}

Result<Snapshot> get_snapshot(host::Host& host, state::DesiredState& desired,
                              std::string const& volume, std::string const& name) {
  DAXD_TRY(desired_volume(desired, volume));
  DAXD_ASSIGN_OR_RETURN(Snapshot s, desired_snapshot(desired, volume, name));
  DAXD_TRY(add_live_fields(host, s));
  return s;
}

}  // namespace daxd::orchestrator
