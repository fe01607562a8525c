// SPDX-License-Identifier: Apache-2.0
// Pure rendering of `daxadm list`: API objects in, ndctl-shaped text out (no I/O).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace daxd::cli {

/// What `daxadm list` was asked for, as parsed from its flags.
struct ListSelection {
  bool regions = false;
  bool namespaces = false;
  bool volumes = false;
  bool snapshots = false;
  bool idle = false;         // include disabled regions and namespaces (ndctl -i)
  bool human_sizes = false;  // -u
  bool verbose = false;      // -v: also numa_node and target_node, as ndctl list -v
  std::string region;        // -r: "all", "regionN", "N"; space-separated list
  std::string name;          // -n: "all", "namespaceX.Y", "X.Y"; space-separated list
};

/// ndctl's defaulting: without -R/-N/-V/-S, -r alone selects regions, otherwise namespaces.
ListSelection with_defaults(ListSelection sel);

/// The API's answers (arrays of objects as daxd serves them; namespaces carry "region").
/// Snapshots carry "volume". Unrequested kinds may be left empty.
struct ListData {
  nlohmann::json regions = nlohmann::json::array();
  nlohmann::json namespaces = nlohmann::json::array();
  nlohmann::json volumes = nlohmann::json::array();
  nlohmann::json snapshots = nlohmann::json::array();
};

/// The tree ndctl's list_display() would print: null when nothing matched, an array for one
/// kind (its single element with -u and exactly one), or {"regions":..,"volumes":..} when
/// several kinds are non-empty. -RN nests namespaces in their regions and -VS snapshots in
/// their volumes; as in ndctl, the result is an object when the last parent had children.
nlohmann::ordered_json build_list_tree(ListSelection const& sel, ListData const& data);

/// One namespace as `ndctl create-namespace` prints it: ndctl's key order, no "region", sizes
/// human under -u.
nlohmann::ordered_json namespace_object(nlohmann::json const& ns, bool human_sizes);

/// The text to print for the JSON form: empty when nothing matched, else to_ndctl_json + "\n".
std::string render_list_json(ListSelection const& sel, ListData const& data);

/// The text for --human: one aligned table per kind with matches, separated by blank lines.
std::string render_list_tables(ListSelection const& sel, ListData const& data);

}  // namespace daxd::cli
