// SPDX-License-Identifier: Apache-2.0
// JSON (de)serialisation of the model. Keys follow ndctl (util/json.c) where ndctl has them.
#include "daemon/model/json.h"

namespace daxd {
namespace {

using nlohmann::json;

void put_if(json& j, char const* key, std::string const& value) {
  if (!value.empty()) j[key] = value;
}

template <typename T>
Result<T> get_or(json const& j, char const* key, T fallback) {
  auto const it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string())
      return Fail(Errc::invalid_argument, std::string("'") + key + "' must be a string");
    return it->template get<std::string>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean())
      return Fail(Errc::invalid_argument, std::string("'") + key + "' must be a boolean");
    return it->template get<bool>();
  } else {
    if (!it->is_number_integer()) {
      return Fail(Errc::invalid_argument, std::string("'") + key + "' must be an integer");
    }
    return it->template get<T>();
  }
}

}  // namespace

void to_json(json& j, Region const& r) {
  j = json::object();
  j["dev"] = r.dev;
  j["size"] = r.size;
  if (r.align != 0) j["align"] = r.align;
  j["available_size"] = r.available_size;
  j["max_available_extent"] = r.max_available_extent;
  j["type"] = r.type;
  if (r.numa_node) j["numa_node"] = *r.numa_node;
  if (r.target_node) j["target_node"] = *r.target_node;
  if (r.iset_id) j["iset_id"] = *r.iset_id;
  put_if(j, "persistence_domain", r.persistence_domain);
  if (!r.enabled) j["state"] = "disabled";
}

void to_json(json& j, Namespace const& n) {
  j = json::object();
  j["dev"] = n.dev;
  j["mode"] = to_string(n.mode);
  put_if(j, "map", n.map);
  j["size"] = n.size;
  put_if(j, "uuid", n.uuid);
  if (n.sector_size) j["sector_size"] = *n.sector_size;
  if (n.align) j["align"] = *n.align;
  put_if(j, "blockdev", n.blockdev);
  put_if(j, "chardev", n.chardev);
  put_if(j, "name", n.name);
  if (!n.enabled) j["state"] = "disabled";
}

void to_json(json& j, Extent const& e) {
  j = json{{"namespace", e.namespace_name}, {"offset", e.offset}, {"length", e.length}};
}

void to_json(json& j, Volume const& v) {
  j = json::object();
  j["name"] = v.name;
  j["layout"] = to_string(v.layout);
  j["size"] = v.size;
  if (v.layout == VolumeLayout::striped) j["stripe_size"] = v.stripe_size;
  j["extents"] = v.extents;
  if (v.filesystem != FsType::none) j["filesystem"] = to_string(v.filesystem);
  put_if(j, "mountpoint", v.mountpoint);
  if (v.filesystem != FsType::none) j["dax"] = to_string(v.dax);
  j["state"] = to_string(v.state);
  put_if(j, "dm_name", v.dm_name);
  put_if(j, "blockdev", v.blockdev);
  j["dax_capable"] = v.dax_capable;
  put_if(j, "reason", v.reason);
}

void to_json(json& j, Snapshot const& s) {
  j = json{{"name", s.name}, {"volume", s.volume},         {"method", to_string(s.method)},
           {"size", s.size}, {"created_at", s.created_at}, {"dax_capable", s.dax_capable}};
  put_if(j, "dm_name", s.dm_name);
  if (!s.extents.empty()) j["extents"] = s.extents;
  if (s.store_size != 0) j["store_size"] = s.store_size;
  put_if(j, "mountpoint", s.mountpoint);
  if (s.operation_id != 0) j["operation"] = s.operation_id;
  if (s.stopped_ms >= 0) j["stopped_ms"] = s.stopped_ms;
  if (s.frozen_ms >= 0) j["frozen_ms"] = s.frozen_ms;
  j["state"] = s.state;
}

void to_json(json& j, Consumer const& c) {
  j = json::object();
  j["kind"] = to_string(c.kind);
  if (c.pid != 0) j["pid"] = c.pid;
  put_if(j, "command", c.command);
  put_if(j, "path", c.path);
  if (c.map_sync) j["map_sync"] = true;
  if (c.dax) j["dax"] = true;
}

void to_json(json& j, StepRecord const& s) {
  j = json{{"name", s.name}, {"state", to_string(s.state)}};
  put_if(j, "description", s.description);
  if (s.commit_point) j["commit_point"] = true;
}

void to_json(json& j, Operation const& o) {
  j = json::object();
  j["id"] = o.id;
  j["type"] = o.type;
  j["target"] = o.target;
  j["state"] = to_string(o.state);
  j["steps"] = o.steps;
  j["created_at_ms"] = o.created_at_ms;
  if (o.finished_at_ms != 0) j["finished_at_ms"] = o.finished_at_ms;
  if (o.stopped_ms != 0) j["stopped_ms"] = o.stopped_ms;
  if (o.frozen_ms != 0) j["frozen_ms"] = o.frozen_ms;
  put_if(j, "error", o.error);
  put_if(j, "error_code", o.error_code);
}

void to_json(json& j, DmTarget const& t) {
  j = json{{"start", t.start}, {"length", t.length}, {"type", t.type}, {"params", t.params}};
}

void to_json(json& j, DmDevice const& d) {
  j = json{{"name", d.name},           {"major", d.dev.major}, {"minor", d.dev.minor},
           {"suspended", d.suspended}, {"dax", d.dax},         {"table", d.table}};
  put_if(j, "uuid", d.uuid);
}

void to_json(json& j, MountEntry const& m) {
  j = json{
      {"source", m.source}, {"target", m.target}, {"fstype", m.fstype}, {"options", m.options}};
  put_if(j, "dax", m.dax);
}

Result<Region> region_from_json(json const& j) {
  if (!j.is_object()) return Fail(Errc::invalid_argument, "region must be an object");
  Region r;
  DAXD_ASSIGN_OR_RETURN(r.dev, get_or<std::string>(j, "dev", ""));
  DAXD_ASSIGN_OR_RETURN(r.size, get_or<std::uint64_t>(j, "size", 0));
  DAXD_ASSIGN_OR_RETURN(r.align, get_or<std::uint64_t>(j, "align", 0));
  DAXD_ASSIGN_OR_RETURN(r.available_size, get_or<std::uint64_t>(j, "available_size", r.size));
  DAXD_ASSIGN_OR_RETURN(r.max_available_extent,
                        get_or<std::uint64_t>(j, "max_available_extent", r.available_size));
  DAXD_ASSIGN_OR_RETURN(r.type, get_or<std::string>(j, "type", "pmem"));
  DAXD_ASSIGN_OR_RETURN(r.persistence_domain,
                        get_or<std::string>(j, "persistence_domain", "memory_controller"));
  if (j.contains("numa_node")) {
    DAXD_ASSIGN_OR_RETURN(r.numa_node, get_or<int>(j, "numa_node", 0));
  }
  if (j.contains("iset_id")) {
    DAXD_ASSIGN_OR_RETURN(r.iset_id, get_or<std::uint64_t>(j, "iset_id", 0));
  }
  if (r.dev.empty()) return Fail(Errc::invalid_argument, "region needs 'dev'");
  return r;
}

Result<Namespace> namespace_from_json(json const& j) {
  if (!j.is_object()) return Fail(Errc::invalid_argument, "namespace must be an object");
  Namespace n;
  DAXD_ASSIGN_OR_RETURN(n.dev, get_or<std::string>(j, "dev", ""));
  DAXD_ASSIGN_OR_RETURN(n.region, get_or<std::string>(j, "region", ""));
  DAXD_ASSIGN_OR_RETURN(std::string const mode, get_or<std::string>(j, "mode", "raw"));
  DAXD_ASSIGN_OR_RETURN(n.mode, parse_namespace_mode(mode));
  DAXD_ASSIGN_OR_RETURN(n.map, get_or<std::string>(j, "map", ""));
  DAXD_ASSIGN_OR_RETURN(n.size, get_or<std::uint64_t>(j, "size", 0));
  DAXD_ASSIGN_OR_RETURN(n.uuid, get_or<std::string>(j, "uuid", ""));
  DAXD_ASSIGN_OR_RETURN(n.name, get_or<std::string>(j, "name", ""));
  DAXD_ASSIGN_OR_RETURN(n.blockdev, get_or<std::string>(j, "blockdev", ""));
  DAXD_ASSIGN_OR_RETURN(n.chardev, get_or<std::string>(j, "chardev", ""));
  if (j.contains("sector_size")) {
    DAXD_ASSIGN_OR_RETURN(n.sector_size, get_or<std::uint32_t>(j, "sector_size", 0));
  }
  if (j.contains("align")) {
    DAXD_ASSIGN_OR_RETURN(n.align, get_or<std::uint64_t>(j, "align", 0));
  }
  if (n.dev.empty()) return Fail(Errc::invalid_argument, "namespace needs 'dev'");
  return n;
}

Result<Volume> volume_from_json(json const& j) {
  if (!j.is_object()) return Fail(Errc::invalid_argument, "volume must be an object");
  Volume v;
  DAXD_ASSIGN_OR_RETURN(v.name, get_or<std::string>(j, "name", ""));
  DAXD_ASSIGN_OR_RETURN(std::string const layout, get_or<std::string>(j, "layout", "linear"));
  DAXD_ASSIGN_OR_RETURN(v.layout, parse_volume_layout(layout));
  DAXD_ASSIGN_OR_RETURN(v.size, get_or<std::uint64_t>(j, "size", 0));
  DAXD_ASSIGN_OR_RETURN(v.stripe_size, get_or<std::uint64_t>(j, "stripe_size", 0));
  DAXD_ASSIGN_OR_RETURN(std::string const fs, get_or<std::string>(j, "filesystem", "none"));
  DAXD_ASSIGN_OR_RETURN(v.filesystem, parse_fs_type(fs));
  DAXD_ASSIGN_OR_RETURN(v.mountpoint, get_or<std::string>(j, "mountpoint", ""));
  DAXD_ASSIGN_OR_RETURN(std::string const dax, get_or<std::string>(j, "dax", "always"));
  DAXD_ASSIGN_OR_RETURN(v.dax, parse_dax_mode(dax));
  DAXD_ASSIGN_OR_RETURN(v.dm_name, get_or<std::string>(j, "dm_name", dm_name_for(v.name)));
  // Stored false while a cow snapshot suspends DAX (issue 6); absent means capable.
  DAXD_ASSIGN_OR_RETURN(v.dax_capable, get_or<bool>(j, "dax_capable", true));
  if (auto const it = j.find("extents"); it != j.end() && it->is_array()) {
    for (auto const& e : *it) {
      Extent x;
      DAXD_ASSIGN_OR_RETURN(x.namespace_name, get_or<std::string>(e, "namespace", ""));
      DAXD_ASSIGN_OR_RETURN(x.offset, get_or<std::uint64_t>(e, "offset", 0));
      DAXD_ASSIGN_OR_RETURN(x.length, get_or<std::uint64_t>(e, "length", 0));
      v.extents.push_back(std::move(x));
    }
  }
  if (v.name.empty()) return Fail(Errc::invalid_argument, "volume needs 'name'");
  return v;
}

}  // namespace daxd
