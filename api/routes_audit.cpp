// SPDX-License-Identifier: Apache-2.0
// GET /v1/audit: the mutating requests daxd was sent, newest first, with peer, result and
// operation; readable by every peer that may read (the same rule as the other GET routes).
#include <charconv>
#include <cstdio>
#include <ctime>
#include <string>

#include <nlohmann/json.hpp>

#include "api/problem.h"
#include "api/route_support.h"
#include "api/routes.h"
#include "api/server.h"

namespace daxd::api {

namespace {

using nlohmann::json;

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 1000;
constexpr int kMaxOffset = 1 << 30;

Result<std::int64_t> int_query(RouteContext const& ctx, std::string const& key, std::int64_t min,
                               std::int64_t max, std::int64_t absent) {
  std::string const text = ctx.query_value(key);
  if (!ctx.query.contains(key)) return absent;
  std::int64_t value = 0;
  auto const [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || err != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return Fail(Errc::invalid_argument, "'" + key + "' must be an integer in " +
                                            std::to_string(min) + ".." + std::to_string(max) +
                                            ", not '" + text + "'");
  }
  return value;
}

/// "2026-11-25T07:30:00.123Z" (UTC, milliseconds).
std::string rfc3339(std::int64_t at_ms) {
  std::time_t const secs = static_cast<std::time_t>(at_ms / 1000);
  std::tm tm{};
  if (::gmtime_r(&secs, &tm) == nullptr) return "";
  char text[96];  // room for any int year, which -Wformat-truncation counts
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(at_ms % 1000));
  return text;
}

json peer_json(AuditRecord const& r) {
  // TCP peers have no credentials (Peer::kNoId); their request carried the bearer token.
  if (r.uid == Peer::kNoId) return json{{"transport", "tcp"}};
  return json{{"transport", "unix"}, {"uid", r.uid}, {"gid", r.gid}, {"pid", r.pid}};
}

json audit_json(AuditRecord const& r) {
  return json{{"id", r.id},
              {"time", rfc3339(r.at_ms)},
              {"at_ms", r.at_ms},
              {"peer", peer_json(r)},
              {"method", r.method},
              {"path", r.path},
              {"status", r.status},
              {"result", r.result},
              {"operation", r.operation_id > 0 ? json(r.operation_id) : json(nullptr)},
              {"body_excerpt", r.body_excerpt}};
}

Result<Response> list_audit(RouteContext const& ctx) {
  if (!ctx.services.audit_history) {
    return Fail(Errc::unavailable, "the audit log is not available in this daxd");
  }
  AuditQuery query;
  DAXD_ASSIGN_OR_RETURN(auto const limit, int_query(ctx, "limit", 1, kMaxLimit, kDefaultLimit));
  DAXD_ASSIGN_OR_RETURN(auto const offset, int_query(ctx, "offset", 0, kMaxOffset, 0));
  DAXD_ASSIGN_OR_RETURN(query.since_id, int_query(ctx, "since", 0, INT64_MAX, 0));
  query.limit = static_cast<int>(limit);
  query.offset = static_cast<int>(offset);
  DAXD_ASSIGN_OR_RETURN(auto const records, ctx.services.audit_history(query));
  json out = json::array();
  for (auto const& r : records) out.push_back(audit_json(r));
  return json_response(out);
}

}  // namespace

void add_audit_routes(Router& router) {
  router.add("GET", "/v1/audit", [](RouteContext const& ctx) { return respond(list_audit(ctx)); });
}

}  // namespace daxd::api
