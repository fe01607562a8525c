// SPDX-License-Identifier: Apache-2.0
// The one mapping from daxd::Errc to HTTP status, and application/problem+json bodies (RFC 9457).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "api/http_types.h"
#include "daemon/model/error.h"

namespace daxd::api {

inline constexpr std::string_view kProblemContentType = "application/problem+json";

/// The HTTP status for an error code; every Errc has exactly one.
unsigned http_status(Errc code);

/// A short human title for an error code ("Not found").
std::string_view problem_title(Errc code);

/// {"type":"urn:daxd:problem:<errc>","title","status","detail","blockers"?,"cause"?}.
Response problem(Error const& error);
Response problem(Errc code, std::string detail);
/// The problem of an operation that did not complete: adds the extension member
/// "operation": id and sets Response::operation_id.
Response problem(Error const& error, std::int64_t operation_id);

/// Problems that are about HTTP itself and carry no Errc (405, 413, 431, 400 on a bad parse):
/// type "urn:daxd:problem:<type_name>".
Response protocol_problem(unsigned status, std::string_view type_name, std::string_view title,
                          std::string detail);

}  // namespace daxd::api
