// SPDX-License-Identifier: Apache-2.0
// Specs are resolved to explicit extents when the request is normalised, so that the plan (and
// recovery, which rebuilds it) never depends on the namespaces' sizes at a later time.
#include "daemon/orchestrator/volume_spec.h"

#include <algorithm>

#include "daemon/model/json.h"
#include "daemon/model/names.h"
#include "daemon/model/size.h"
#include "daemon/orchestrator/namespace_ops.h"

namespace daxd::orchestrator {
namespace {

using nlohmann::json;

std::uint64_t round_down(std::uint64_t v, std::uint64_t a) { return v - v % a; }

Result<Namespace> fsdax_namespace(host::Host& host, std::string const& name) {
  DAXD_ASSIGN_OR_RETURN(Namespace const ns, find_namespace(host, name));
  if (ns.mode != NamespaceMode::fsdax || ns.blockdev.empty()) {
    return Fail(Errc::invalid_argument, "namespace '" + name + "' is " +
                                            std::string(to_string(ns.mode)) +
                                            ": volumes are built on fsdax namespaces");
  }
  return ns;
}

Result<Extent> resolve_one(host::Host& host, json e) {
  if (e.is_string()) e = json{{"namespace", e}};
  if (!e.is_object()) return Fail(Errc::invalid_argument, "each extent must be an object");
  DAXD_ASSIGN_OR_RETURN(std::string const name, optional_string(e, "namespace", ""));
  if (name.empty()) return Fail(Errc::invalid_argument, "an extent needs 'namespace'");
  DAXD_ASSIGN_OR_RETURN(Namespace const ns, fsdax_namespace(host, name));
  DAXD_ASSIGN_OR_RETURN(std::uint64_t const offset, optional_size(e, "offset", 0));
  std::uint64_t const usable = round_down(ns.size, kExtentAlign);
  DAXD_ASSIGN_OR_RETURN(std::uint64_t const length,
                        optional_size(e, "length", usable > offset ? usable - offset : 0));
  if (offset % kExtentAlign != 0 || length % kExtentAlign != 0 || length == 0) {
    return Fail(Errc::invalid_argument, "namespace '" + name +
                                            "': extent offset and length must be non-zero "
                                            "multiples of 2 MiB");
  }
  if (offset + length > ns.size) {
    return Fail(Errc::invalid_argument, "namespace '" + name + "': extent ends at " +
                                            std::to_string(offset + length) + ", past its " +
                                            std::to_string(ns.size) + " usable bytes");
  }
  return Extent{ns.name.empty() ? ns.dev : ns.name, offset, length};
}

}  // namespace

Result<std::string> optional_string(json const& body, char const* key, std::string fallback) {
  auto const it = body.find(key);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_string())
    return Fail(Errc::invalid_argument, std::string("'") + key + "' must be a string");
  return it->get<std::string>();
}

Result<std::uint64_t> optional_size(json const& body, char const* key, std::uint64_t fallback) {
  auto const it = body.find(key);
  if (it == body.end() || it->is_null()) return fallback;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  if (it->is_string()) return parse_size(it->get<std::string>(), /*allow_zero=*/true);
  return Fail(Errc::invalid_argument,
              std::string("'") + key + "' must be a number of bytes or a size like \"1G\"");
}

Result<std::vector<Extent>> resolve_extents(host::Host& host, json const& body, VolumeLayout layout,
                                            std::uint64_t stripe) {
  json list = body.contains("extents") ? body.at("extents") : body.value("namespaces", json());
  if (!list.is_array() || list.empty()) {
    return Fail(Errc::invalid_argument, "'namespaces' (or 'extents') must list at least one");
  }
  std::vector<Extent> out;
  for (auto const& e : list) {
    DAXD_ASSIGN_OR_RETURN(Extent x, resolve_one(host, e));
    out.push_back(std::move(x));
  }
  if (layout == VolumeLayout::linear) return out;
  if (out.size() < 2) return Fail(Errc::invalid_argument, "a striped volume needs two namespaces");
  std::uint64_t shortest = out.front().length;
  for (auto const& x : out) shortest = std::min(shortest, x.length);
  shortest = round_down(shortest, stripe);
  if (shortest == 0) return Fail(Errc::invalid_argument, "extents are shorter than one stripe");
  for (auto& x : out) x.length = shortest;  // dm-striped uses the same length on each device
  return out;
}

Result<json> normalise_create_volume(host::Host& host, json const& body) {
  if (!body.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  Volume v;
  DAXD_ASSIGN_OR_RETURN(v.name, optional_string(body, "name", ""));
  DAXD_TRY(validate_name("volume", v.name));
  v.dm_name = dm_name_for(v.name);
  DAXD_ASSIGN_OR_RETURN(std::string const layout, optional_string(body, "layout", "linear"));
  DAXD_ASSIGN_OR_RETURN(v.layout, parse_volume_layout(layout));
  DAXD_ASSIGN_OR_RETURN(std::string const fs, optional_string(body, "filesystem", "ext4"));
  DAXD_ASSIGN_OR_RETURN(v.filesystem, parse_fs_type(fs));
  DAXD_ASSIGN_OR_RETURN(std::string const dax, optional_string(body, "dax", "always"));
  DAXD_ASSIGN_OR_RETURN(v.dax, parse_dax_mode(dax));
  DAXD_ASSIGN_OR_RETURN(v.mountpoint, optional_string(body, "mountpoint", ""));
  if (!v.mountpoint.empty()) {
    DAXD_TRY(validate_mountpoint(v.mountpoint));
    if (v.filesystem == FsType::none) {
      return Fail(Errc::invalid_argument, "a mountpoint needs a filesystem");
    }
  }
  if (v.layout == VolumeLayout::striped) {
    DAXD_ASSIGN_OR_RETURN(v.stripe_size, optional_size(body, "stripe_size", kDefaultStripe));
    if (v.stripe_size < 4096 || (v.stripe_size & (v.stripe_size - 1)) != 0) {
      return Fail(Errc::invalid_argument, "'stripe_size' must be a power of two of 4 KiB or more");
    }
  }
  DAXD_ASSIGN_OR_RETURN(v.extents, resolve_extents(host, body, v.layout, v.stripe_size));
  for (auto const& x : v.extents) v.size += x.length;
  bool force = false;
  if (auto const it = body.find("force"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) return Fail(Errc::invalid_argument, "'force' must be true or false");
    force = it->get<bool>();
  }
  return json{{"volume", volume_spec(v)}, {"force", force}};
}

json volume_spec(Volume const& v) {
  json j = v;
  j.erase("state");
  j.erase("blockdev");
  j.erase("dax_capable");
  j.erase("reason");
  return j;
}

Result<Volume> request_volume(json const& r, char const* key) {
  if (!r.is_object() || !r.contains(key)) {
    return Fail(Errc::invalid_argument, std::string("request lacks '") + key + "'");
  }
  return volume_from_json(r.at(key));
}

Result<Volume> desired_volume(state::DesiredState& desired, std::string const& name) {
  DAXD_ASSIGN_OR_RETURN(auto const stored, desired.get(name));
  auto const spec = json::parse(stored.spec_json, nullptr, /*allow_exceptions=*/false);
  return volume_from_json(spec);
}

Result<std::vector<DmTarget>> volume_table(host::Host& host, Volume const& v) {
  std::vector<std::string> devs;
  for (auto const& x : v.extents) {
    DAXD_ASSIGN_OR_RETURN(Namespace const ns, fsdax_namespace(host, x.namespace_name));
    devs.push_back(std::to_string(ns.devno.major) + ":" + std::to_string(ns.devno.minor));
  }
  std::vector<DmTarget> table;
  if (v.layout == VolumeLayout::striped) {
    std::string params =
        std::to_string(v.extents.size()) + " " + std::to_string(v.stripe_size / 512);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < v.extents.size(); ++i) {
      params += " " + devs[i] + " " + std::to_string(v.extents[i].offset / 512);
      total += v.extents[i].length / 512;
    }
    table.push_back(DmTarget{0, total, "striped", params});
    return table;
  }
  std::uint64_t start = 0;
  for (std::size_t i = 0; i < v.extents.size(); ++i) {
    std::uint64_t const len = v.extents[i].length / 512;
    table.push_back(
        DmTarget{start, len, "linear", devs[i] + " " + std::to_string(v.extents[i].offset / 512)});
    start += len;
  }
  return table;
}

std::string volume_node(Volume const& v) {
  return "/dev/mapper/" + (v.dm_name.empty() ? dm_name_for(v.name) : v.dm_name);
}

std::string volume_uuid(Volume const& v) { return "DAXD-" + v.name; }

Result<std::optional<DmDevice>> find_dm(host::Host& host, std::string const& dm_name) {
  DAXD_ASSIGN_OR_RETURN(auto const all, host.device_mapper().list_devices());
  for (auto const& d : all) {
    if (d.name == dm_name) return std::optional<DmDevice>(d);
  }
  return std::optional<DmDevice>();
}

Result<std::optional<MountEntry>> find_mount(host::Host& host, std::string const& target) {
  DAXD_ASSIGN_OR_RETURN(auto const all, host.filesystems().list_mounts());
  for (auto const& m : all) {
    if (m.target == target) return std::optional<MountEntry>(m);
  }
  return std::optional<MountEntry>();
}

}  // namespace daxd::orchestrator
