// SPDX-License-Identifier: Apache-2.0
// Snapshot events from operation events. The names come from the journaled request, since the
// operation's JSON (the operation event's data) carries no request.
#include "api/snapshot_events.h"

#include <string>

#include <nlohmann/json.hpp>

#include "daemon/orchestrator/snapshot_ops.h"

namespace daxd::api {

namespace {

using nlohmann::json;

/// The event type of a snapshot operation type, "" for any other.
std::string event_type_of(std::string const& op_type) {
  if (op_type == orchestrator::kCreateSnapshot) return "snapshot-created";
  if (op_type == orchestrator::kDestroySnapshot) return "snapshot-deleted";
  if (op_type == orchestrator::kRestoreSnapshot) return "snapshot-restored";
  return "";
}

/// A string at `key`, or the "name" of an object at `key` (normalised requests carry specs).
std::string name_at(json const& j, char const* key) {
  auto const it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) {
    auto const name = it->find("name");
    if (name != it->end() && name->is_string()) return name->get<std::string>();
  }
  return "";
}

std::string string_at(json const& j, char const* key) {
  auto const it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

bool announces_snapshot_change(orchestrator::Event const& event) {
  if (event.type != "operation" || !event.data.is_object()) return false;
  auto const id = event.data.find("id");
  if (id == event.data.end() || !id->is_number_integer()) return false;
  return string_at(event.data, "state") == "completed" &&
         !event_type_of(string_at(event.data, "type")).empty();
}

std::optional<orchestrator::Event> snapshot_event(Operation const& op) {
  std::string const type = event_type_of(op.type);
  if (type.empty() || op.state != OperationState::completed) return std::nullopt;
  json const request = json::parse(op.request, nullptr, /*allow_exceptions=*/false);
  if (!request.is_object()) return std::nullopt;
  std::string const volume = name_at(request, "volume");
  std::string snapshot = string_at(request, "name");
  if (snapshot.empty()) snapshot = name_at(request, "snapshot");
  if (volume.empty() || snapshot.empty()) return std::nullopt;
  std::string method;
  if (auto const s = request.find("snapshot"); s != request.end() && s->is_object()) {
    method = string_at(*s, "method");
  }
  if (method.empty()) method = string_at(request, "method");
  json data{{"volume", volume},   {"snapshot", snapshot},        {"method", method},
            {"operation", op.id}, {"stopped_ms", op.stopped_ms}, {"frozen_ms", op.frozen_ms}};
  return orchestrator::Event{type, "snapshot/" + volume + "@" + snapshot, std::move(data)};
}

}  // namespace daxd::api
