// SPDX-License-Identifier: Apache-2.0
// ETag / If-None-Match (RFC 9110 sections 8.8.3 and 13.1.2).
#include "api/entity_tag.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <iterator>

namespace daxd::api {

namespace {

constexpr std::string_view kEtagHeader = "ETag";

std::string_view trim(std::string_view text) {
  auto const first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  auto const last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

/// The opaque part of a tag: W/"x" and "x" compare equal under weak comparison.
std::string_view opaque(std::string_view tag) {
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

}  // namespace

std::string entity_tag(std::string_view body) {
  char text[19];
  std::snprintf(text, sizeof text, "\"%016zx\"", std::hash<std::string_view>{}(body));
  return text;
}

bool none_match_hits(std::string_view if_none_match, std::string_view etag) {
  if (trim(if_none_match) == "*") return true;
  while (!if_none_match.empty()) {
    auto const comma = if_none_match.find(',');
    // Tags are quoted and may not hold commas (RFC 9110 etagc), so splitting on ',' is exact.
    if (opaque(trim(if_none_match.substr(0, comma))) == opaque(etag)) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

void answer_conditional_get(Request const& request, Response& response) {
  if (request.method != "GET" || response.status != 200 || response.stream) return;
  auto& headers = response.headers;
  auto tag = std::ranges::find_if(headers, [](auto const& h) { return h.first == kEtagHeader; });
  if (tag == headers.end()) {
    headers.emplace_back(kEtagHeader, entity_tag(response.body));
    tag = std::prev(headers.end());
  }
  if (request.if_none_match.empty() || !none_match_hits(request.if_none_match, tag->second)) {
    return;
  }
  response.status = 304;
  response.body.clear();
}

}  // namespace daxd::api
