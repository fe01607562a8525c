// SPDX-License-Identifier: Apache-2.0
// The --human form of `daxadm list`: the same matches as the JSON form, one table per kind.
#include <optional>

#include "cli/list_filter.h"
#include "cli/list_format.h"
#include "cli/table.h"
#include "daemon/model/size.h"

namespace daxd::cli {
namespace {

using nlohmann::json;

// Bytes, or with -u the binary half of ndctl's form ("16.00 GiB").
std::string size_cell(json const& object, char const* key, bool human) {
  auto const it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return {};
  auto const bytes = it->get<std::uint64_t>();
  if (!human) return std::to_string(bytes);
  std::string text = format_size_human(bytes);
  return text.substr(0, text.find(" ("));
}

std::string cell(json const& object, char const* key) {
  auto const it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::string device_of(json const& ns) {
  std::string dev = cell(ns, "blockdev");
  return dev.empty() ? cell(ns, "chardev") : dev;
}

void append(std::string& out, Table const& t) {
  if (t.rows() == 0) return;
  if (!out.empty()) out += "\n";
  out += t.render();
}

}  // namespace

std::string render_list_tables(ListSelection const& sel, ListData const& data) {
  ListMatches const m = match_list(sel, data);
  bool const u = sel.human_sizes;
  std::string out;
  Table regions({"REGION", "SIZE", "AVAILABLE", "TYPE", "STATE"});
  for (json const* r : m.regions) {
    std::string state = cell(*r, "state");
    regions.add_row({cell(*r, "dev"), size_cell(*r, "size", u), size_cell(*r, "available_size", u),
                     cell(*r, "type"), state.empty() ? "enabled" : state});
  }
  append(out, regions);
  Table namespaces({"NAMESPACE", "NAME", "MODE", "SIZE", "DEVICE", "REGION"});
  for (json const* n : m.namespaces) {
    namespaces.add_row({cell(*n, "dev"), cell(*n, "name"), cell(*n, "mode"),
                        size_cell(*n, "size", u), device_of(*n), cell(*n, "region")});
  }
  append(out, namespaces);
  Table volumes({"VOLUME", "LAYOUT", "SIZE", "FILESYSTEM", "MOUNTPOINT", "DAX", "STATE"});
  for (json const* v : m.volumes) {
    volumes.add_row({cell(*v, "name"), cell(*v, "layout"), size_cell(*v, "size", u),
                     cell(*v, "filesystem"), cell(*v, "mountpoint"), cell(*v, "dax"),
                     cell(*v, "state")});
  }
  append(out, volumes);
  Table snapshots({"SNAPSHOT", "VOLUME", "METHOD", "SIZE", "DAX", "STOPPED_MS", "FROZEN_MS",
                   "STATE", "MOUNTPOINT"});
  for (json const* s : m.snapshots) {
    snapshots.add_row({cell(*s, "name"), cell(*s, "volume"), cell(*s, "method"),
                       size_cell(*s, "size", u), cell(*s, "dax_capable"), cell(*s, "stopped_ms"),
                       cell(*s, "frozen_ms"), cell(*s, "state"), cell(*s, "mountpoint")});
  }
  append(out, snapshots);
  return out;
}

}  // namespace daxd::cli
