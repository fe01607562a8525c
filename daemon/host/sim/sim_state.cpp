// SPDX-License-Identifier: Apache-2.0
// JSON (de)serialisation of the simulated kernel's state (the sim host's state file).
#include "daemon/host/sim/sim_state.h"

#include <algorithm>

#include "daemon/host/sim/sim_rules.h"

namespace daxd::host::sim {
namespace {

using nlohmann::json;

bool is_printable(std::string const& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) {
    auto const u = static_cast<unsigned char>(c);
    return (u >= 0x20 && u < 0x7f) || c == '\n' || c == '\t';
  });
}

// File bytes are kept exact: plain text as {"text":...}, anything else hex-encoded.
json bytes_to_json(std::string const& bytes) {
  if (is_printable(bytes)) return json{{"text", bytes}};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (char c : bytes) {
    auto const u = static_cast<unsigned char>(c);
    hex += kHex[u >> 4];
    hex += kHex[u & 0xf];
  }
  return json{{"hex", hex}};
}

std::string bytes_from_json(json const& j) {
  if (j.contains("text")) return j.at("text").get<std::string>();
  auto const hex = j.at("hex").get<std::string>();
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

json targets_to_json(std::vector<DmTarget> const& table) {
  json out = json::array();
  for (auto const& t : table) {
    out.push_back(
        {{"start", t.start}, {"length", t.length}, {"type", t.type}, {"params", t.params}});
  }
  return out;
}

std::vector<DmTarget> targets_from_json(json const& j) {
  std::vector<DmTarget> out;
  for (auto const& t : j) {
    out.push_back(DmTarget{t.value("start", std::uint64_t{0}), t.value("length", std::uint64_t{0}),
                           t.at("type").get<std::string>(), t.value("params", std::string{})});
  }
  return out;
}

json use_to_json(SimUse const& u) {
  return json{{"kind", to_string(u.kind)},
              {"path", u.path},
              {"map_sync", u.map_sync},
              {"major", u.dev.major},
              {"minor", u.dev.minor},
              {"device_node", u.device_node},
              {"dax", u.dax}};
}

ConsumerKind kind_from_string(std::string const& s) {
  for (auto k : {ConsumerKind::fd, ConsumerKind::mapping, ConsumerKind::cwd, ConsumerKind::root,
                 ConsumerKind::exe}) {
    if (to_string(k) == s) return k;
  }
  return ConsumerKind::fd;
}

SimUse use_from_json(json const& j) {
  SimUse u;
  u.kind = kind_from_string(j.value("kind", std::string{"fd"}));
  u.path = j.value("path", std::string{});
  u.map_sync = j.value("map_sync", false);
  u.dev = DevNumber{j.value("major", 0U), j.value("minor", 0U)};
  u.device_node = j.value("device_node", false);
  u.dax = j.value("dax", false);
  return u;
}

json region_to_json(SimRegion const& r) {
  return json{{"dev", r.dev},
              {"size", r.size},
              {"align", r.align},
              {"labels", r.labels},
              {"numa_node", r.numa_node},
              {"iset_id", r.iset_id},
              {"persistence_domain", r.persistence_domain}};
}

SimRegion region_from_json(json const& j, std::size_t index) {
  SimRegion r;
  r.dev = j.value("dev", "region" + std::to_string(index));
  r.size = j.at("size").get<std::uint64_t>();
  r.align = j.value("align", 16 * kMiB);
  r.labels = j.value("labels", true);
  r.numa_node = j.value("numa_node", 0);
  r.persistence_domain = j.value("persistence_domain", std::string{"memory_controller"});
  r.iset_id = j.value("iset_id", std::uint64_t{0x1a2b3c4d00000000ULL + index});
  return r;
}

json namespace_to_json(SimNamespace const& n) {
  return json{{"dev", n.dev},       {"region", n.region},     {"mode", to_string(n.mode)},
              {"offset", n.offset}, {"raw_size", n.raw_size}, {"align", n.align},
              {"uuid", n.uuid},     {"name", n.name},         {"minor", n.minor}};
}

Result<SimNamespace> namespace_from_json(json const& j) {
  SimNamespace n;
  n.dev = j.at("dev").get<std::string>();
  n.region = j.at("region").get<std::string>();
  DAXD_ASSIGN_OR_RETURN(n.mode, parse_namespace_mode(j.value("mode", std::string{"raw"})));
  n.offset = j.value("offset", std::uint64_t{0});
  n.raw_size = j.at("raw_size").get<std::uint64_t>();
  n.align = j.value("align", std::uint64_t{0});
  n.uuid = j.value("uuid", std::string{});
  n.name = j.value("name", std::string{});
  n.minor = j.value("minor", 0U);
  return n;
}

json dm_to_json(SimDmDevice const& d) {
  json j{{"name", d.name},
         {"uuid", d.uuid},
         {"minor", d.minor},
         {"type", static_cast<int>(d.type)},
         {"suspended", d.suspended},
         {"table", targets_to_json(d.table)},
         {"dax_mappings_at_suspend", d.dax_mappings_at_suspend}};
  if (d.inactive) j["inactive_table"] = targets_to_json(*d.inactive);
  return j;
}

SimDmDevice dm_from_json(json const& j) {
  SimDmDevice d;
  d.name = j.at("name").get<std::string>();
  d.uuid = j.value("uuid", std::string{});
  d.minor = j.value("minor", 0U);
  d.type = j.value("type", 1) == 3 ? DmType::dax_bio_based : DmType::bio_based;
  d.suspended = j.value("suspended", false);
  d.table = targets_from_json(j.value("table", json::array()));
  if (j.contains("inactive_table")) d.inactive = targets_from_json(j.at("inactive_table"));
  d.dax_mappings_at_suspend = j.value("dax_mappings_at_suspend", std::vector<int>{});
  return d;
}

json mount_to_json(SimMount const& m) {
  json out{{"device", m.device},      {"source", m.source},
           {"target", m.target},      {"fstype", to_string(m.fstype)},
           {"dax", to_string(m.dax)}, {"dax_active", m.dax_active},
           {"frozen", m.frozen}};
  if (m.read_only) out["read_only"] = true;
  for (auto const& [path, c] : m.inode_cache) {
    out["inode_cache"][path] =
        json{{"s_dax", c.s_dax}, {"dontcache", c.dontcache}, {"pinned", c.pinned}};
  }
  return out;
}

Result<SimMount> mount_from_json(json const& j) {
  SimMount m;
  m.device = j.at("device").get<std::string>();
  m.source = j.value("source", "/dev/" + m.device);
  m.target = j.at("target").get<std::string>();
  DAXD_ASSIGN_OR_RETURN(m.fstype, parse_fs_type(j.value("fstype", std::string{"ext4"})));
  DAXD_ASSIGN_OR_RETURN(m.dax, parse_dax_mode(j.value("dax", std::string{"always"})));
  m.dax_active = j.value("dax_active", false);
  m.frozen = j.value("frozen", false);
  m.read_only = j.value("read_only", false);
  json const cache = j.value("inode_cache", json::object());
  for (auto const& [path, c] : cache.items()) {
    m.inode_cache[path] = SimCachedInode{c.value("s_dax", false), c.value("dontcache", false),
                                         c.value("pinned", false)};
  }
  return m;
}

json storage_to_json(SimStorage const& s) {
  json files = json::object();
  for (auto const& [path, bytes] : s.files) files[path] = bytes_to_json(bytes);
  json out{{"signature", s.signature}, {"files", files}};
  if (!s.uuid.empty()) out["uuid"] = s.uuid;
  if (s.cow_chunks != 0) out["cow_chunks"] = s.cow_chunks;
  for (auto const& [path, a] : s.inodes) {
    out["inodes"][path] = json{{"directory", a.directory}, {"dax_flag", a.dax_flag}};
  }
  return out;
}

SimStorage storage_from_json(json const& j) {
  SimStorage s;
  s.signature = j.value("signature", std::string{});
  s.uuid = j.value("uuid", std::string{});
  s.cow_chunks = j.value("cow_chunks", std::uint64_t{0});
  json const files = j.value("files", json::object());  // items() must not outlive its json
  for (auto const& [path, bytes] : files.items()) {
    s.files[path] = bytes_from_json(bytes);
  }
  json const inodes = j.value("inodes", json::object());
  for (auto const& [path, a] : inodes.items()) {
    s.inodes[path] = SimInodeAttrs{a.value("directory", false), a.value("dax_flag", false)};
  }
  return s;
}

json process_to_json(SimProcess const& p) {
  json uses = json::array();
  for (auto const& u : p.uses) uses.push_back(use_to_json(u));
  return json{
      {"pid", p.pid}, {"command", p.command}, {"uses", uses}, {"ignore_sigterm", p.ignore_sigterm}};
}

SimProcess process_from_json(json const& j) {
  SimProcess p;
  p.pid = j.at("pid").get<int>();
  p.command = j.value("command", std::string{});
  for (auto const& u : j.value("uses", json::array())) p.uses.push_back(use_from_json(u));
  p.ignore_sigterm = j.value("ignore_sigterm", false);
  return p;
}

Result<SimState> parse_state(json const& j) {
  SimState s;
  std::size_t index = 0;
  for (auto const& r : j.value("regions", json::array()))
    s.regions.push_back(region_from_json(r, index++));
  for (auto const& n : j.value("namespaces", json::array())) {
    DAXD_ASSIGN_OR_RETURN(auto ns, namespace_from_json(n));
    s.namespaces.push_back(std::move(ns));
  }
  for (auto const& b : j.value("block_devices", json::array())) {
    s.block_devices.push_back(
        SimBlockDevice{b.at("name").get<std::string>(), b.at("size").get<std::uint64_t>(),
                       DevNumber{b.value("major", 7U), b.value("minor", 0U)}});
  }
  for (auto const& d : j.value("dm_devices", json::array()))
    s.dm_devices.push_back(dm_from_json(d));
  for (auto const& m : j.value("mounts", json::array())) {
    DAXD_ASSIGN_OR_RETURN(auto mount, mount_from_json(m));
    s.mounts.push_back(std::move(mount));
  }
  json const storage = j.value("storage", json::object());
  for (auto const& [key, st] : storage.items()) {
    s.storage[key] = storage_from_json(st);
  }
  for (auto const& p : j.value("processes", json::array()))
    s.processes.push_back(process_from_json(p));
  json const faults = j.value("faults", json::object());
  for (auto const& [op, f] : faults.items()) {
    s.faults[op] = SimFault{f.value("errno", 5), f.value("count", 1)};
  }
  for (auto const& h : j.value("hazards", json::array())) {
    s.hazards.push_back(SimHazard{h.value("op", std::string{}), h.value("device", std::string{}),
                                  h.value("pids", std::vector<int>{}),
                                  h.value("note", std::string{})});
  }
  add_legacy_namespaces(s);
  return s;
}

}  // namespace

json state_to_json(SimState const& s) {
  json j = json::object();
  j["version"] = 1;
  j["regions"] = json::array();
  for (auto const& r : s.regions) j["regions"].push_back(region_to_json(r));
  j["namespaces"] = json::array();
  for (auto const& n : s.namespaces) j["namespaces"].push_back(namespace_to_json(n));
  j["block_devices"] = json::array();
  for (auto const& b : s.block_devices) {
    j["block_devices"].push_back(
        {{"name", b.name}, {"size", b.size}, {"major", b.dev.major}, {"minor", b.dev.minor}});
  }
  j["dm_devices"] = json::array();
  for (auto const& d : s.dm_devices) j["dm_devices"].push_back(dm_to_json(d));
  j["mounts"] = json::array();
  for (auto const& m : s.mounts) j["mounts"].push_back(mount_to_json(m));
  j["storage"] = json::object();
  for (auto const& [key, st] : s.storage) j["storage"][key] = storage_to_json(st);
  j["processes"] = json::array();
  for (auto const& p : s.processes) j["processes"].push_back(process_to_json(p));
  j["faults"] = json::object();
  for (auto const& [op, f] : s.faults) j["faults"][op] = {{"errno", f.err}, {"count", f.count}};
  j["hazards"] = json::array();
  for (auto const& h : s.hazards) {
    j["hazards"].push_back(
        {{"op", h.op}, {"device", h.device}, {"pids", h.pids}, {"note", h.note}});
  }
  return j;
}

Result<SimState> state_from_json(json const& j) {
  if (!j.is_object()) return Fail(Errc::invalid_argument, "sim state must be a JSON object");
  // nlohmann reports a wrong or missing key by throwing; the exception stops here.
  try {
    return parse_state(j);
  } catch (json::exception const& e) {
    return Fail(Errc::invalid_argument, std::string("sim state: ") + e.what());
  } catch (std::exception const& e) {
    return Fail(Errc::invalid_argument, std::string("sim state: ") + e.what());
  }
}

}  // namespace daxd::host::sim
