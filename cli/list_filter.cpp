// SPDX-License-Identifier: Apache-2.0
// Filtering for `daxadm list`, following ndctl/filter.c so that -r/-n mean what they mean there.
#include "cli/list_filter.h"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace daxd::cli {
namespace {

using nlohmann::json;

std::vector<std::string> tokens(std::string const& filter) {
  std::vector<std::string> out;
  std::istringstream in(filter);
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

bool parse_number(std::string_view text, unsigned long& value) {
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}

bool hidden(json const& object, ListSelection const& sel) {
  return !sel.idle && string_of(object, "state") == "disabled";
}

bool contains(std::vector<std::string> const& list, std::string const& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

bool region_has_namespace(std::string const& region, ListData const& data,
                          std::string const& filter) {
  if (filter.empty() || filter == "all") return true;
  return std::any_of(data.namespaces.begin(), data.namespaces.end(), [&](json const& n) {
    return string_of(n, "region") == region && namespace_matches(string_of(n, "dev"), filter);
  });
}

}  // namespace

std::string string_of(json const& object, char const* key) {
  if (!object.is_object()) return {};
  auto const it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

bool region_matches(std::string const& dev, std::string const& filter) {
  auto const list = tokens(filter);
  if (list.empty()) return true;
  return std::any_of(list.begin(), list.end(), [&](std::string const& t) {
    unsigned long id = 0;
    if (t == "all") return true;
    if (parse_number(t, id)) return dev == "region" + std::to_string(id);
    return dev == t;
  });
}

bool namespace_matches(std::string const& dev, std::string const& filter) {
  auto const list = tokens(filter);
  if (list.empty()) return true;
  return std::any_of(list.begin(), list.end(), [&](std::string const& t) {
    if (t == "all" || t == dev) return true;
    auto const dot = t.find('.');
    unsigned long region = 0, id = 0;
    if (dot == std::string::npos || !parse_number(std::string_view(t).substr(0, dot), region) ||
        !parse_number(std::string_view(t).substr(dot + 1), id)) {
      return false;
    }
    return dev == "namespace" + std::to_string(region) + "." + std::to_string(id);
  });
}

ListMatches match_list(ListSelection const& sel, ListData const& data) {
  ListMatches out;
  std::vector<std::string> listed_regions;
  if (sel.regions) {
    for (json const& r : data.regions) {
      std::string const dev = string_of(r, "dev");
      if (!region_matches(dev, sel.region) || !region_has_namespace(dev, data, sel.name)) continue;
      if (hidden(r, sel)) continue;
      out.regions.push_back(&r);
      listed_regions.push_back(dev);
    }
  }
  if (sel.namespaces) {
    for (json const& n : data.namespaces) {
      std::string const region = string_of(n, "region");
      bool const in_scope =
          sel.regions ? contains(listed_regions, region) : region_matches(region, sel.region);
      if (!in_scope || !namespace_matches(string_of(n, "dev"), sel.name) || hidden(n, sel))
        continue;
      out.namespaces.push_back(&n);
    }
  }
  std::vector<std::string> listed_volumes;
  if (sel.volumes) {
    for (json const& v : data.volumes) {
      out.volumes.push_back(&v);
      listed_volumes.push_back(string_of(v, "name"));
    }
  }
  if (sel.snapshots) {
    for (json const& s : data.snapshots) {
      if (sel.volumes && !contains(listed_volumes, string_of(s, "volume"))) continue;
      out.snapshots.push_back(&s);
    }
  }
  return out;
}

}  // namespace daxd::cli
