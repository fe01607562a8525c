// SPDX-License-Identifier: Apache-2.0
// Turns daxd's application/problem+json answers back into daxd::Error on the client side.
#pragma once

#include <optional>
#include <string_view>

#include "api/client/client.h"
#include "daemon/model/error.h"

namespace daxd::api_client {

inline constexpr std::string_view kProblemTypePrefix = "urn:daxd:problem:";
inline constexpr std::string_view kProblemContentType = "application/problem+json";

/// The Errc named by its snake_case name ("busy"), or nullopt.
std::optional<Errc> errc_from_string(std::string_view name);

/// The ConsumerKind named by its JSON name ("mapping"), or nullopt.
std::optional<ConsumerKind> consumer_kind_from_string(std::string_view name);

/// True when the response carries a problem document (by content type).
bool is_problem(HttpResponse const& response);

/// The Error a failed response (status >= 400) stands for: code from the "type" URN (else from
/// the HTTP status), "detail" (else "title", else the status) as message, "blockers" parsed
/// into Consumers, "cause" kept. Works on any body, problem+json or not.
Error error_from_response(HttpResponse const& response);

/// Errc closest to an HTTP status, for answers without a usable problem type.
Errc errc_from_status(unsigned status);

}  // namespace daxd::api_client
