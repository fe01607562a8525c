// SPDX-License-Identifier: Apache-2.0
// The objects `daxadm list` shows, chosen with ndctl's filter rules (shared by JSON and tables).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/list_format.h"

namespace daxd::cli {

/// Pointers into a ListData, which must outlive this. Kinds not selected stay empty.
struct ListMatches {
  std::vector<nlohmann::json const*> regions;
  std::vector<nlohmann::json const*> namespaces;
  std::vector<nlohmann::json const*> volumes;
  std::vector<nlohmann::json const*> snapshots;
};

/// ndctl's util_region_filter: "all", "regionN" or the id "N"; several separated by spaces.
bool region_matches(std::string const& dev, std::string const& filter);

/// ndctl's util_namespace_filter: "all", "namespaceX.Y" or "X.Y"; several separated by spaces.
bool namespace_matches(std::string const& dev, std::string const& filter);

/// Applies -r/-n/-i the way ndctl_filter_walk does: regions need a matching namespace when -n
/// is given; namespaces under -R belong to a listed region; disabled objects need -i.
ListMatches match_list(ListSelection const& sel, ListData const& data);

/// A string member or "".
std::string string_of(nlohmann::json const& object, char const* key);

}  // namespace daxd::cli
