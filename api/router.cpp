// SPDX-License-Identifier: Apache-2.0
// Route matching by path segments; the first route registered for a (method, path) wins.
#include "api/router.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "api/problem.h"

namespace daxd::api {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    auto const end = std::min(path.find('/', pos), path.size());
    out.emplace_back(path.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

bool is_param(std::string const& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::optional<std::map<std::string, std::string>> match(std::vector<std::string> const& pattern,
                                                        std::vector<std::string> const& path) {
  if (pattern.size() != path.size()) return std::nullopt;
  std::map<std::string, std::string> params;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_param(pattern[i])) {
      params[pattern[i].substr(1, pattern[i].size() - 2)] = percent_decode(path[i]);
    } else if (pattern[i] != path[i]) {
      return std::nullopt;
    }
  }
  return params;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string RouteContext::query_value(std::string const& key) const {
  auto const it = query.find(key);
  return it == query.end() ? std::string() : it->second;
}

std::string_view target_path(std::string_view target) {
  return target.substr(0, std::min(target.find('?'), target.size()));
}

std::map<std::string, std::string> parse_query(std::string_view target) {
  std::map<std::string, std::string> out;
  auto const q = target.find('?');
  if (q == std::string_view::npos) return out;
  auto rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto const amp = std::min(rest.find('&'), rest.size());
    auto const pair = rest.substr(0, amp);
    rest = amp < rest.size() ? rest.substr(amp + 1) : std::string_view();
    if (pair.empty()) continue;
    auto const eq = pair.find('=');
    if (eq == std::string_view::npos) {
      out[percent_decode(pair)] = "";
    } else {
      out[percent_decode(pair.substr(0, eq))] = percent_decode(pair.substr(eq + 1));
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int const hi = hex_value(text[i + 1]);
      int const lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

void Router::add(std::string method, std::string_view pattern, RouteHandler handler) {
  routes_.push_back(Route{std::move(method), split_path(pattern), std::move(handler)});
}

Response Router::dispatch(Request const& request, Peer const& peer, Services& services) const {
  auto const path_text = target_path(request.target);
  auto const path = split_path(path_text);
  std::vector<std::string> allowed;
  for (auto const& route : routes_) {
    auto params = match(route.segments, path);
    if (!params) continue;
    if (route.method == request.method) {
      RouteContext ctx{request, peer, services, std::move(*params), parse_query(request.target)};
      return route.handler(ctx);
    }
    if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
      allowed.push_back(route.method);
    }
  }
  if (allowed.empty()) {
    return problem(Errc::not_found, std::string(path_text) + ": no such resource");
  }
  std::sort(allowed.begin(), allowed.end());
  std::string allow;
  for (auto const& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
  auto res = protocol_problem(
      405, "method_not_allowed", "Method not allowed",
      request.method + " " + std::string(path_text) + ": method not allowed; allowed: " + allow);
  res.headers.emplace_back("Allow", allow);
  return res;
}

}  // namespace daxd::api
