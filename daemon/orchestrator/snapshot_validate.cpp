// SPDX-License-Identifier: Apache-2.0
// Create requests are resolved once, here: the plan (and recovery, which rebuilds it) then
// depends only on the journaled request, never on the namespaces or snapshots of a later time.
#include "daemon/orchestrator/snapshot_validate.h"

#include <algorithm>

#include "daemon/model/names.h"
#include "daemon/orchestrator/snapshot_spec.h"
#include "daemon/orchestrator/volume_ops.h"
#include "daemon/orchestrator/volume_spec.h"
#include "daemon/orchestrator/volume_view.h"

namespace daxd::orchestrator::detail {
namespace {

using nlohmann::json;

bool overlaps(Extent const& a, Extent const& b) {
  return a.namespace_name == b.namespace_name && a.offset < b.offset + b.length &&
         b.offset < a.offset + a.length;
}

Result<void> require_disjoint(std::vector<Extent> const& store, std::vector<Extent> const& used,
                              std::string const& owner) {
  for (auto const& x : store) {
    for (auto const& y : used) {
      if (!overlaps(x, y)) continue;
      return Fail(Errc::invalid_argument,
                  "namespace '" + x.namespace_name + "': bytes " + std::to_string(x.offset) + "-" +
                      std::to_string(x.offset + x.length) + " of the store are used by " + owner);
    }
  }
  return Ok();
}

// The first `size` bytes of `extents`: a copy needs exactly the volume's size.
std::vector<Extent> cut_to(std::vector<Extent> extents, std::uint64_t size) {
  std::vector<Extent> out;
  for (auto& x : extents) {
    if (size == 0) break;
    x.length = std::min(x.length, size);
    size -= x.length;
    out.push_back(std::move(x));
  }
  return out;
}

std::uint64_t bytes_of(std::vector<Extent> const& extents) {
  std::uint64_t n = 0;
  for (auto const& x : extents) n += x.length;
  return n;
}

// Bytes per second of the newest measured copy (its record's size and freeze), or the default.
std::uint64_t copy_bandwidth(std::vector<Snapshot> const& all) {
  Snapshot const* newest = nullptr;
  for (auto const& s : all) {
    if (s.method != SnapshotMethod::copy || s.frozen_ms <= 0 || s.size == 0) continue;
    if (newest == nullptr || s.operation_id > newest->operation_id) newest = &s;
  }
  if (newest == nullptr) return kDefaultCopyBandwidth;
  return std::max<std::uint64_t>(1, newest->size * 1000 /
                                        static_cast<std::uint64_t>(newest->frozen_ms));
}

struct Choice {
  SnapshotMethod method = SnapshotMethod::copy;
  std::string reason;
};

Result<Choice> choose(std::string const& asked, Volume const& v, std::uint64_t store,
                      bool has_cow, std::int64_t copy_ms, std::uint64_t deadline_ms) {
  std::string const sizes = "the store (" + std::to_string(store) + " bytes) ";
  if (asked == "copy") return Choice{SnapshotMethod::copy, "copy was asked for"};
  if (asked == "cow") return Choice{SnapshotMethod::cow, "cow was asked for"};
  if (asked != "auto") {
    return Fail(Errc::invalid_argument, "'method' must be \"cow\", \"copy\" or \"auto\"");
  }
  if (has_cow) {
    return Choice{SnapshotMethod::cow,
                  "cow: volume '" + v.name + "' has a cow snapshot already, so DAX is suspended "
                  "and another cow snapshot stops nothing"};
  }
  if (store < v.size) {
    return Choice{SnapshotMethod::cow, "cow: " + sizes + "cannot hold a copy of the " +
                                           std::to_string(v.size) + "-byte volume"};
  }
  if (copy_ms > static_cast<std::int64_t>(deadline_ms)) {
    return Choice{SnapshotMethod::cow, "cow: a copy would freeze the origin for about " +
                                           std::to_string(copy_ms) + " ms, more than the " +
                                           std::to_string(deadline_ms) + " ms deadline"};
  }
  return Choice{SnapshotMethod::copy, "copy: " + sizes + "holds the volume and the freeze (about " +
                                          std::to_string(copy_ms) + " ms) fits the " +
                                          std::to_string(deadline_ms) + " ms deadline; DAX stays on"};
}

// The volume must be up and mounted by daxd: copy freezes it, cow re-mounts it.
Result<void> require_mounted(host::Host& host, Volume const& v) {
  if (v.filesystem == FsType::none || v.mountpoint.empty()) {
    return Fail(Errc::conflict, "volume '" + v.name + "' has no filesystem mounted by daxd: "
                                "snapshots need one (they freeze or re-mount it)");
  }
  DAXD_ASSIGN_OR_RETURN(auto const dm, find_dm(host, v.dm_name));
  DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(host, v.mountpoint));
  if (!dm || dm->suspended || !m || m->source != volume_node(v)) {
    return Fail(Errc::conflict, "volume '" + v.name + "' is not active and mounted at " +
                                    v.mountpoint);
  }
  return Ok();
}

Result<Snapshot> base_snapshot(host::Host& host, Volume const& v, json const& body) {
  Snapshot s;
  DAXD_ASSIGN_OR_RETURN(s.name, optional_string(body, "name", ""));
  DAXD_TRY(validate_name("snapshot", s.name));
  s.volume = v.name;
  s.dm_name = snapshot_dm_name(v.name, s.name);
  s.size = v.size;
  s.created_at = host.clock().now_unix_ms() / 1000;
  DAXD_ASSIGN_OR_RETURN(s.mountpoint, optional_string(body, "mountpoint", ""));
  if (!s.mountpoint.empty()) {
    DAXD_TRY(validate_mountpoint(s.mountpoint));
    if (s.mountpoint == v.mountpoint) {
      return Fail(Errc::invalid_argument, s.mountpoint + ": volume '" + v.name +
                                              "' is mounted there; a snapshot needs its own");
    }
  }
  DAXD_ASSIGN_OR_RETURN(s.extents, resolve_extents(host, body, VolumeLayout::linear, 0));
  return s;
}

}  // namespace

std::vector<Snapshot> cow_only(std::vector<Snapshot> const& all) {
  std::vector<Snapshot> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [](Snapshot const& s) { return s.method == SnapshotMethod::cow; });
  return out;
}

std::vector<Consumer> copy_blockers(std::vector<Consumer> const& all) {
  std::vector<Consumer> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [](Consumer const& c) { return c.pid != 0 && c.map_sync; });
  return out;
}

Result<void> require_free_store(state::DesiredState& desired, Snapshot const& s) {
  for (std::size_t i = 0; i < s.extents.size(); ++i) {
    std::vector<Extent> const rest(s.extents.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                   s.extents.end());
    DAXD_TRY(require_disjoint({s.extents[i]}, rest, "the store itself"));
  }
  DAXD_ASSIGN_OR_RETURN(auto const volumes, desired_volumes(desired));
  for (auto const& v : volumes) {
    DAXD_TRY(require_disjoint(s.extents, v.extents, "volume '" + v.name + "'"));
  }
  DAXD_ASSIGN_OR_RETURN(auto const snapshots, desired_snapshots(desired, ""));
  for (auto const& o : snapshots) {
    if (o.volume == s.volume && o.name == s.name) continue;  // the same snapshot, asked again
    DAXD_TRY(require_disjoint(s.extents, o.extents,
                              "snapshot '" + o.name + "' of volume '" + o.volume + "'"));
  }
  return Ok();
}

Result<json> normalise_create(host::Host& host, state::DesiredState& desired,
                              std::string const& volume, json const& body) {
  if (!body.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  DAXD_ASSIGN_OR_RETURN(Volume const v, desired_volume(desired, volume));
  DAXD_ASSIGN_OR_RETURN(Snapshot s, base_snapshot(host, v, body));
  DAXD_ASSIGN_OR_RETURN(std::string const asked, optional_string(body, "method", "auto"));
  json out{{"name", s.name}, {"requested_method", asked}, {"volume", stored_volume_spec(v)}};
  DAXD_TRY(normalise_quiesce(body, out));
  DAXD_TRY(require_mounted(host, v));
  DAXD_ASSIGN_OR_RETURN(auto const all, desired_snapshots(desired, ""));
  DAXD_ASSIGN_OR_RETURN(auto const mine, desired_snapshots(desired, v.name));
  bool const has_cow = !cow_only(mine).empty();
  std::uint64_t const bandwidth = copy_bandwidth(all);
  auto const copy_ms =
      static_cast<std::int64_t>((v.size * 1000 + bandwidth - 1) / bandwidth);
  std::uint64_t const store = bytes_of(s.extents);
  DAXD_ASSIGN_OR_RETURN(Choice const choice, choose(asked, v, store, has_cow, copy_ms,
                                                    out.at("deadline_ms").get<std::uint64_t>()));
  s.method = choice.method;
  if (s.method == SnapshotMethod::copy) {
    if (store < v.size) {
      return Fail(Errc::invalid_argument, "store too small: a copy of volume '" + v.name +
                                              "' needs " + std::to_string(v.size) +
                                              " bytes, the store has " + std::to_string(store));
    }
    s.extents = cut_to(s.extents, v.size);
  } else if (store < kMinCowStore) {
    return Fail(Errc::invalid_argument, "store too small: a cow store needs at least " +
                                            std::to_string(kMinCowStore) + " bytes, it has " +
                                            std::to_string(store));
  }
  s.store_size = bytes_of(s.extents);
  s.dax_capable = s.method == SnapshotMethod::copy;
  DAXD_TRY(require_free_store(desired, s));
  bool const copy = s.method == SnapshotMethod::copy;
  out["snapshot"] = snapshot_spec(s);
  out["cow_stack"] = has_cow;
  out["method_reason"] = choice.reason;
  out["expected_stop_ms"] = copy ? copy_ms : has_cow ? kCowNextStopMs : kCowFirstStopMs;
  out["expected_frozen_ms"] = copy ? copy_ms : has_cow ? kCowNextStopMs : 0;
  return out;
}

}  // namespace daxd::orchestrator::detail
