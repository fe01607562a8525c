// SPDX-License-Identifier: Apache-2.0
// Parsing of problem+json is tolerant: a broken or foreign error body still yields an Error
// with the HTTP status behind it, because the user must always learn why a request failed.
#include "api/client/problem.h"

#include <array>

#include <nlohmann/json.hpp>

namespace daxd::api_client {
namespace {

using nlohmann::json;

constexpr std::array kAllErrc = {
    Errc::invalid_argument,  Errc::not_found,   Errc::already_exists, Errc::conflict, Errc::busy,
    Errc::permission_denied, Errc::unsupported, Errc::no_space,       Errc::io_error, Errc::timeout,
    Errc::unavailable,       Errc::internal,
};

constexpr std::array kAllConsumerKinds = {
    ConsumerKind::mount, ConsumerKind::fd,  ConsumerKind::mapping, ConsumerKind::cwd,
    ConsumerKind::root,  ConsumerKind::exe, ConsumerKind::holder,
};

std::string string_or(json const& j, char const* key, std::string fallback) {
  auto const it = j.find(key);
  if (it == j.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

std::vector<Consumer> parse_blockers(json const& j) {
  std::vector<Consumer> out;
  auto const it = j.find("blockers");
  if (it == j.end() || !it->is_array()) return out;
  for (auto const& b : *it) {
    if (!b.is_object()) continue;
    Consumer c;
    c.kind = consumer_kind_from_string(string_or(b, "kind", "")).value_or(ConsumerKind::fd);
    if (auto const pid = b.find("pid"); pid != b.end() && pid->is_number_integer()) {
      c.pid = pid->get<int>();
    }
    c.command = string_or(b, "command", "");
    c.path = string_or(b, "path", "");
    c.map_sync = b.value("map_sync", false);
    c.dax = b.value("dax", false);
    out.push_back(std::move(c));
  }
  return out;
}

std::string status_text(unsigned status) {
  return "daxd answered http status " + std::to_string(status);
}

}  // namespace

std::optional<Errc> errc_from_string(std::string_view name) {
  for (Errc const code : kAllErrc) {
    if (to_string(code) == name) return code;
  }
  return std::nullopt;
}

std::optional<ConsumerKind> consumer_kind_from_string(std::string_view name) {
  for (ConsumerKind const kind : kAllConsumerKinds) {
    if (to_string(kind) == name) return kind;
  }
  return std::nullopt;
}

bool is_problem(HttpResponse const& response) {
  std::string_view ct = response.content_type;
  return ct.substr(0, kProblemContentType.size()) == kProblemContentType;
}

Errc errc_from_status(unsigned status) {
  switch (status) {
    case 400:
    case 413:
    case 414:
    case 422:
      return Errc::invalid_argument;
    case 401:
    case 403:
      return Errc::permission_denied;
    case 404:
    case 410:
      return Errc::not_found;
    case 409:
      return Errc::conflict;
    case 423:
      return Errc::busy;
    case 405:
    case 501:
      return Errc::unsupported;
    case 503:
      return Errc::unavailable;
    case 408:
    case 504:
      return Errc::timeout;
    case 507:
      return Errc::no_space;
    default:
      break;
  }
  return status >= 500 ? Errc::internal : Errc::invalid_argument;
}

Error error_from_response(HttpResponse const& response) {
  Error err{errc_from_status(response.status), status_text(response.status)};
  json const doc = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) {
    if (!response.body.empty() && !is_problem(response) && response.body.size() < 200) {
      err.message += ": " + response.body;
    }
    return err;
  }
  std::string const type = string_or(doc, "type", "");
  if (type.rfind(kProblemTypePrefix, 0) == 0) {
    if (auto const code = errc_from_string(type.substr(kProblemTypePrefix.size())))
      err.code = *code;
  }
  err.message = string_or(doc, "detail", string_or(doc, "title", err.message));
  err.blockers = parse_blockers(doc);
  err.cause = string_or(doc, "cause", "");
  return err;
}

}  // namespace daxd::api_client
