// SPDX-License-Identifier: Apache-2.0
// Rendering of operations, dry-run plans and events: daxd's key order kept for people who diff.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "api/client/sse.h"

namespace daxd::cli {

/// An operation in the key order of daemon/model/json.cpp (id, type, target, state, steps...),
/// steps as name, state, description, commit_point; unknown keys last.
nlohmann::ordered_json operation_object(nlohmann::json const& op);

/// A dry-run plan: type, target, steps, notes; unknown keys last.
nlohmann::ordered_json plan_object(nlohmann::json const& plan);

/// One line of `daxadm events`: the event's data object, compact, with the stream's event id
/// first as "id" (a number when it is one). Data that is not a JSON object is kept as a string
/// under "data" beside "event". No trailing newline.
std::string event_line(api_client::SseEvent const& event);

/// "completed", "rolled_back", "failed" (final) or anything else (still going).
bool operation_is_final(nlohmann::json const& op);

/// The operation's "id" as text ("?" when missing).
std::string operation_id(nlohmann::json const& op);

/// An aligned table of operations for --human: ID TYPE TARGET STATE ERROR.
std::string render_operations_table(nlohmann::json const& ops);

}  // namespace daxd::cli
