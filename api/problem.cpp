// SPDX-License-Identifier: Apache-2.0
// Errc -> HTTP status and problem+json construction; no other file maps error codes to status.
#include "api/problem.h"

#include <nlohmann/json.hpp>

#include "daemon/model/json.h"

namespace daxd::api {

unsigned http_status(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
      return 400;
    case Errc::not_found:
      return 404;
    case Errc::already_exists:
      return 409;
    case Errc::conflict:
      return 409;
    case Errc::busy:
      return 409;
    case Errc::permission_denied:
      return 403;
    case Errc::unsupported:
      return 422;
    case Errc::no_space:
      return 507;
    case Errc::io_error:
      return 500;
    case Errc::timeout:
      return 504;
    case Errc::unavailable:
      return 503;
    case Errc::internal:
      return 500;
  }
  return 500;
}

std::string_view problem_title(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
      return "Invalid argument";
    case Errc::not_found:
      return "Not found";
    case Errc::already_exists:
      return "Already exists";
    case Errc::conflict:
      return "Conflict";
    case Errc::busy:
      return "Busy";
    case Errc::permission_denied:
      return "Permission denied";
    case Errc::unsupported:
      return "Unsupported";
    case Errc::no_space:
      return "No space";
    case Errc::io_error:
      return "I/O error";
    case Errc::timeout:
      return "Timeout";
    case Errc::unavailable:
      return "Unavailable";
    case Errc::internal:
      return "Internal error";
  }
  return "Internal error";
}

namespace {

nlohmann::json problem_json(unsigned status, std::string_view type_name, std::string_view title,
                            std::string const& detail) {
  return nlohmann::json{{"type", "urn:daxd:problem:" + std::string(type_name)},
                        {"title", title},
                        {"status", status},
                        {"detail", detail}};
}

Response problem_response(unsigned status, std::string_view type_name, nlohmann::json const& j) {
  Response res;
  res.status = status;
  res.content_type = std::string(kProblemContentType);
  // Details may quote user input that is not valid UTF-8: replace rather than throw.
  res.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  res.problem = std::string(type_name);
  return res;
}

}  // namespace

Response problem(Error const& error) {
  auto const status = http_status(error.code);
  auto const name = to_string(error.code);
  auto j = problem_json(status, name, problem_title(error.code), error.message);
  if (!error.blockers.empty()) j["blockers"] = error.blockers;
  if (!error.cause.empty()) j["cause"] = error.cause;
  return problem_response(status, name, j);
}

Response problem(Errc code, std::string detail) { return problem(Error{code, std::move(detail)}); }

Response problem(Error const& error, std::int64_t operation_id) {
  auto const status = http_status(error.code);
  auto const name = to_string(error.code);
  auto j = problem_json(status, name, problem_title(error.code), error.message);
  if (!error.blockers.empty()) j["blockers"] = error.blockers;
  if (!error.cause.empty()) j["cause"] = error.cause;
  j["operation"] = operation_id;
  auto res = problem_response(status, name, j);
  res.operation_id = operation_id;
  return res;
}

Response protocol_problem(unsigned status, std::string_view type_name, std::string_view title,
                          std::string detail) {
  return problem_response(status, type_name, problem_json(status, type_name, title, detail));
}

}  // namespace daxd::api
