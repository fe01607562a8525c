// SPDX-License-Identifier: Apache-2.0
// GET /v1/operations[/{id}] (with ?wait=) and GET /v1/events (server-sent events).
#include <charconv>
#include <string>

#include <nlohmann/json.hpp>

#include "api/event_stream.h"
#include "api/problem.h"
#include "api/route_support.h"
#include "api/routes.h"
#include "api/server.h"
#include "daemon/model/json.h"
#include "daemon/orchestrator/orchestrator.h"

namespace daxd::api {

namespace {

using nlohmann::json;

constexpr int kDefaultListLimit = 50;
constexpr int kMaxListLimit = 1000;
constexpr int kReplayPage = 1000;
constexpr int kMaxReplayPages = 100;  // the event log keeps 10,000 by default

template <typename Int>
Result<Int> parse_int(std::string const& what, std::string const& text, Int min, Int max) {
  Int value{};
  auto const [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || err != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return Fail(Errc::invalid_argument, what + " must be an integer in " + std::to_string(min) +
                                            ".." + std::to_string(max) + ", not '" + text + "'");
  }
  return value;
}

Result<Response> list_operations(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* engine, require_engine(ctx.services));
  int limit = kDefaultListLimit;
  int offset = 0;
  if (auto const text = ctx.query_value("limit"); !text.empty()) {
    DAXD_ASSIGN_OR_RETURN(limit, parse_int<int>("'limit'", text, 1, kMaxListLimit));
  }
  if (auto const text = ctx.query_value("offset"); !text.empty()) {
    DAXD_ASSIGN_OR_RETURN(offset, parse_int<int>("'offset'", text, 0, 1 << 30));
  }
  DAXD_ASSIGN_OR_RETURN(auto const ops, engine->list(limit, offset));
  json out = json::array();
  for (auto const& op : ops) out.push_back(op);
  return json_response(out);
}

Result<Response> get_operation(RouteContext const& ctx) {
  DAXD_ASSIGN_OR_RETURN(auto* engine, require_engine(ctx.services));
  auto const& text = ctx.params.at("id");
  auto const id = parse_int<std::int64_t>("operation id", text, 1, INT64_MAX);
  if (!id) return Fail(Errc::not_found, "operation '" + text + "': no such operation");
  DAXD_ASSIGN_OR_RETURN(auto const wait, wait_option(ctx));
  if (wait.count() == 0) {
    DAXD_ASSIGN_OR_RETURN(Operation const op, engine->get(*id));
    return json_response(json(op));
  }
  DAXD_ASSIGN_OR_RETURN(Operation const op, wait_operation(ctx.services, *id, wait));
  return json_response(json(op));
}

/// Where a replay starts: the Last-Event-ID header (a reconnecting client) over ?since=.
Result<std::optional<std::int64_t>> replay_from(RouteContext const& ctx) {
  std::string text = ctx.request.last_event_id;
  std::string what = "Last-Event-ID";
  if (text.empty()) {
    text = ctx.query_value("since");
    what = "'since'";
    if (text.empty()) return std::optional<std::int64_t>();
  }
  DAXD_ASSIGN_OR_RETURN(auto const id, parse_int<std::int64_t>(what, text, 0, INT64_MAX));
  return std::optional(id);
}

Result<Response> events(RouteContext const& ctx) {
  auto& services = ctx.services;
  DAXD_ASSIGN_OR_RETURN(auto const since, replay_from(ctx));
  if (!services.events) return Fail(Errc::unavailable, "daxd serves without an event stream");
  auto stream = std::make_shared<EventStream>();
  stream->type_filter = ctx.query_value("type");
  // Subscribed before the replay is read: an event stored in between is then in both, and the
  // stream drops the live copy by id; the other order could lose it.
  stream->subscription = services.events->subscribe();
  if (since) {
    if (!services.event_history) {
      return Fail(Errc::unavailable, "event history is not available: cannot replay");
    }
    stream->last_id = *since;
    std::int64_t after = *since;
    for (int page = 0; page < kMaxReplayPages; ++page) {
      auto batch = services.event_history(after, kReplayPage);
      if (batch.empty()) break;
      after = batch.back().id;
      bool const last = batch.size() < static_cast<std::size_t>(kReplayPage);
      stream->replay.insert(stream->replay.end(), std::make_move_iterator(batch.begin()),
                            std::make_move_iterator(batch.end()));
      if (last) break;
    }
  }
  Response res;
  res.content_type = "text/event-stream";
  res.headers.emplace_back("Cache-Control", "no-cache");
  res.stream = std::move(stream);
  return res;
}

}  // namespace

void add_operation_routes(Router& router) {
  router.add("GET", "/v1/operations",
             [](RouteContext const& ctx) { return respond(list_operations(ctx)); });
  router.add("GET", "/v1/operations/{id}",
             [](RouteContext const& ctx) { return respond(get_operation(ctx)); });
  router.add("GET", "/v1/events", [](RouteContext const& ctx) { return respond(events(ctx)); });
}

}  // namespace daxd::api
