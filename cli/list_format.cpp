// SPDX-License-Identifier: Apache-2.0
// ndctl's list_display() and its object builders, replayed on the API's JSON: key order from
// ndctl/list.c and ndctl/json.c, -u through util_json_object_size/util_json_object_hex.
#include "cli/list_format.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <span>
#include <string_view>

#include "cli/json_print.h"
#include "cli/list_filter.h"
#include "daemon/model/size.h"

namespace daxd::cli {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using Keys = std::span<std::string_view const>;

// Key order of ndctl's region_to_json (+ "namespaces", added after it by filter_namespace).
constexpr std::array<std::string_view, 16> kRegionKeys = {
    "dev",       "size",           "align",       "available_size", "max_available_extent",
    "type",      "numa_node",      "target_node", "iset_id",        "mappings",
    "state",     "badblock_count", "badblocks",   "capabilities",   "persistence_domain",
    "namespaces"};
constexpr std::array<std::string_view, 4> kRegionSizes = {"size", "align", "available_size",
                                                          "max_available_extent"};
constexpr std::array<std::string_view, 1> kRegionHex = {"iset_id"};

// Key order of ndctl's util_namespace_to_json.
constexpr std::array<std::string_view, 17> kNamespaceKeys = {
    "dev",       "mode",      "map",         "size",           "uuid",     "raw_uuid",
    "daxregion", "chardev",   "sector_size", "align",          "blockdev", "state",
    "name",      "numa_node", "target_node", "badblock_count", "badblocks"};
constexpr std::array<std::string_view, 1> kNamespaceSizes = {"size"};

// daxd's own kinds, in the order daemon/model/json.cpp writes them.
constexpr std::array<std::string_view, 13> kVolumeKeys = {
    "name", "layout", "size",    "stripe_size", "extents",     "filesystem", "mountpoint",
    "dax",  "state",  "dm_name", "blockdev",    "dax_capable", "snapshots"};
constexpr std::array<std::string_view, 2> kVolumeSizes = {"size", "stripe_size"};
constexpr std::array<std::string_view, 3> kExtentKeys = {"namespace", "offset", "length"};
constexpr std::array<std::string_view, 1> kExtentSizes = {"length"};
constexpr std::array<std::string_view, 14> kSnapshotKeys = {
    "name",    "volume",     "method",     "size",      "created_at", "dax_capable", "dm_name",
    "extents", "store_size", "mountpoint", "operation", "stopped_ms", "frozen_ms",   "state"};
constexpr std::array<std::string_view, 2> kSnapshotSizes = {"size", "store_size"};

struct KindFormat {
  Keys order;
  Keys sizes;         // util_json_object_size: human strings under -u
  Keys hex;           // util_json_object_hex: "0x..." under -u
  Keys verbose = {};  // printed by ndctl only with -v
  Keys nonzero = {};  // omitted by ndctl when zero
};

// How to present: -u and -v.
struct Style {
  bool human = false;
  bool verbose = false;
};

constexpr std::array<std::string_view, 2> kNumaKeys = {"numa_node", "target_node"};
constexpr std::array<std::string_view, 1> kNamespaceNonzero = {"align"};

bool listed(Keys keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

std::optional<std::uint64_t> as_u64(json const& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) return static_cast<std::uint64_t>(v.get<std::int64_t>());
  return std::nullopt;
}

// util_json_object_size's display_size: a number below 5000 KiB, else the quoted string.
ordered_json human_size(std::uint64_t bytes) {
  std::string const text = format_size_human(bytes);
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return bytes;
  }
  return text;
}

// util_json_object_hex's display_hex: printf("%#llx"), so zero stays "0".
ordered_json human_hex(std::uint64_t value) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%#llx", static_cast<unsigned long long>(value));
  return std::string(buf.data());
}

ordered_json present(json const& value, std::string_view key, KindFormat const& kind, Style style) {
  bool const human = style.human;
  auto const number = as_u64(value);
  if (human && number && listed(kind.sizes, key)) return human_size(*number);
  if (human && number && listed(kind.hex, key)) return human_hex(*number);
  if (key == "extents" && value.is_array()) {
    ordered_json out = ordered_json::array();
    KindFormat const extent{kExtentKeys, kExtentSizes, {}};
    for (json const& e : value) {
      ordered_json o = ordered_json::object();
      for (std::string_view const k : extent.order) {
        if (e.contains(k)) o[std::string(k)] = present(e[std::string(k)], k, extent, style);
      }
      for (auto const& [k, v] : e.items()) {
        if (!listed(extent.order, k)) o[k] = present(v, k, extent, style);
      }
      out.push_back(std::move(o));
    }
    return out;
  }
  return ordered_json(value);
}

// ndctl leaves a key out when it is -v only, or zero where ndctl tests it before adding it.
bool shown(std::string_view key, json const& value, KindFormat const& kind, Style style,
           std::string_view drop) {
  if (key == drop) return false;
  if (!style.verbose && listed(kind.verbose, key)) return false;
  auto const number = as_u64(value);
  return !(number && *number == 0 && listed(kind.nonzero, key));
}

// Copies `object` in the kind's key order (unknown keys last, as served), minus `drop`.
ordered_json reorder(json const& object, KindFormat const& kind, Style style,
                     std::string_view drop = {}) {
  ordered_json out = ordered_json::object();
  // Appended, not inserted with operator[]: the keys are unique already, and ordered_map's
  // operator[] searches every key before it adds one.
  auto& fields = out.get_ref<ordered_json::object_t&>();
  fields.reserve(object.size());
  for (std::string_view const key : kind.order) {
    auto const it = object.find(key);
    if (it != object.end() && shown(key, *it, kind, style, drop)) {
      fields.emplace_back(std::string(key), present(*it, key, kind, style));
    }
  }
  for (auto const& [key, value] : object.items()) {
    if (!listed(kind.order, key) && shown(key, value, kind, style, drop)) {
      fields.emplace_back(key, present(value, key, kind, style));
    }
  }
  return out;
}

constexpr KindFormat kRegion{kRegionKeys, kRegionSizes, kRegionHex, kNumaKeys};
constexpr KindFormat kNamespace{kNamespaceKeys, kNamespaceSizes, {}, kNumaKeys, kNamespaceNonzero};
constexpr KindFormat kVolume{kVolumeKeys, kVolumeSizes, {}};
constexpr KindFormat kSnapshot{kSnapshotKeys, kSnapshotSizes, {}};

// How one parent/child pair of kinds nests (regions/namespaces, volumes/snapshots).
struct Nesting {
  KindFormat const& parent;
  KindFormat const& child;
  char const* id_key;            // the parent's name: "dev"
  char const* link_key;          // the child's key naming its parent: "region"
  char const* child_key;         // the array in the parent: "namespaces"
  bool flat_keeps_link = false;  // a flat child list still shows link_key
};

constexpr Nesting kNvdimm{kRegion, kNamespace, "dev", "region", "namespaces"};
constexpr Nesting kDm{kVolume, kSnapshot, "name", "volume", "snapshots", /*flat_keeps_link=*/true};

// One level of ndctl's walk: parents, each with its children nested under `child_key`.
// `children` ends as lfa->jnamespaces does: the last parent's children, or a flat list.
struct Level {
  std::optional<ordered_json> parents;
  std::optional<ordered_json> children;
};

void append_to(std::optional<ordered_json>& list, ordered_json value) {
  if (!list) list = ordered_json::array();
  list->push_back(std::move(value));
}

Level walk(std::vector<json const*> const& parents, std::vector<json const*> const& children,
           bool nest, Nesting const& n, Style style) {
  Level out;
  if (!nest) {
    for (json const* p : parents) append_to(out.parents, reorder(*p, n.parent, style));
    std::string_view const drop = n.flat_keeps_link ? "" : n.link_key;
    for (json const* c : children) append_to(out.children, reorder(*c, n.child, style, drop));
    return out;
  }
  for (json const* p : parents) {
    ordered_json parent = reorder(*p, n.parent, style);
    out.children.reset();
    for (json const* c : children) {
      if (string_of(*c, n.link_key) != string_of(*p, n.id_key)) continue;
      append_to(out.children, reorder(*c, n.child, style, n.link_key));
    }
    // Only the last parent's children must stay in out.children (see Level): the others move.
    if (out.children && p == parents.back()) {
      parent[n.child_key] = *out.children;
    } else if (out.children) {
      parent[n.child_key] = std::move(*out.children);
    }
    append_to(out.parents, std::move(parent));
  }
  return out;
}

}  // namespace

ListSelection with_defaults(ListSelection sel) {
  if (!sel.regions && !sel.namespaces && !sel.volumes && !sel.snapshots) {
    sel.regions = !sel.region.empty();
    if (!sel.regions) sel.namespaces = true;
  }
  return sel;
}

ordered_json build_list_tree(ListSelection const& sel, ListData const& data) {
  ListMatches const m = match_list(sel, data);
  bool const human = sel.human_sizes;
  Style const style{human, sel.verbose};
  Level nvdimm = walk(m.regions, m.namespaces, sel.regions && sel.namespaces, kNvdimm, style);
  Level dm = walk(m.volumes, m.snapshots, sel.volumes && sel.snapshots, kDm, style);
  int const kinds = !!nvdimm.parents + !!nvdimm.children + !!dm.parents + !!dm.children;
  if (kinds == 0) return nullptr;
  if (kinds > 1) {  // list_display's jplatform: children only when their parents are absent
    ordered_json platform = ordered_json::object();
    if (nvdimm.parents) platform["regions"] = std::move(*nvdimm.parents);
    if (nvdimm.children && !nvdimm.parents) platform["namespaces"] = std::move(*nvdimm.children);
    if (dm.parents) platform["volumes"] = std::move(*dm.parents);
    if (dm.children && !dm.parents) platform["snapshots"] = std::move(*dm.children);
    return platform;
  }
  ordered_json& only = nvdimm.parents    ? *nvdimm.parents
                       : nvdimm.children ? *nvdimm.children
                       : dm.parents      ? *dm.parents
                                         : *dm.children;
  // util_display_json_array: with -u a single element is printed bare.
  if (human && only.size() == 1) return std::move(only.front());
  return std::move(only);
}

ordered_json namespace_object(json const& ns, bool human_sizes) {
  return reorder(ns, kNamespace, Style{human_sizes, /*verbose=*/false}, "region");
}

std::string render_list_json(ListSelection const& sel, ListData const& data) {
  ordered_json const tree = build_list_tree(sel, data);
  if (tree.is_null()) return {};
  return to_ndctl_json(tree) + "\n";
}

}  // namespace daxd::cli
