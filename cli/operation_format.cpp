// SPDX-License-Identifier: Apache-2.0
// Session::call hands out nlohmann::json, which sorts keys; the orders below restore daxd's.
#include "cli/operation_format.h"

#include <algorithm>
#include <array>
#include <span>
#include <string_view>

#include "cli/table.h"

namespace daxd::cli {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using Keys = std::span<std::string_view const>;

constexpr std::array<std::string_view, 11> kOperationKeys = {
    "id",         "type",      "target", "state",     "steps", "created_at_ms", "finished_at_ms",
    "stopped_ms", "frozen_ms", "error",  "error_code"};
constexpr std::array<std::string_view, 4> kStepKeys = {"name", "state", "description",
                                                       "commit_point"};
constexpr std::array<std::string_view, 4> kPlanKeys = {"type", "target", "steps", "notes"};
constexpr std::array<std::string_view, 4> kEventKeys = {"type", "object", "at_ms", "data"};

bool listed(Keys keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

ordered_json steps_array(json const& steps);

ordered_json ordered(json const& object, Keys keys) {
  if (!object.is_object()) return ordered_json(object);
  ordered_json out = ordered_json::object();
  auto const value = [](std::string_view key, json const& v) {
    return key == "steps" ? steps_array(v) : ordered_json(v);
  };
  for (std::string_view const key : keys) {
    auto const it = object.find(std::string(key));
    if (it != object.end()) out[std::string(key)] = value(key, *it);
  }
  for (auto const& [key, v] : object.items()) {
    if (!listed(keys, key)) out[key] = value(key, v);
  }
  return out;
}

ordered_json steps_array(json const& steps) {
  if (!steps.is_array()) return ordered_json(steps);
  ordered_json out = ordered_json::array();
  for (json const& step : steps) out.push_back(ordered(step, kStepKeys));
  return out;
}

std::string text_of(json const& object, char const* key) {
  auto const it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

ordered_json operation_object(json const& op) { return ordered(op, kOperationKeys); }

ordered_json plan_object(json const& plan) { return ordered(plan, kPlanKeys); }

std::string event_line(api_client::SseEvent const& event) {
  ordered_json out = ordered_json::object();
  if (!event.id.empty()) {
    bool const digits =
        std::all_of(event.id.begin(), event.id.end(), [](char c) { return c >= '0' && c <= '9'; });
    out["id"] = digits && event.id.size() < 19 ? ordered_json(std::stoll(event.id))
                                               : ordered_json(event.id);
  }
  json const data = json::parse(event.data, nullptr, /*allow_exceptions=*/false);
  if (!data.is_object()) {
    out["event"] = event.event;
    out["data"] = event.data;
    return out.dump();
  }
  ordered_json fields = ordered(data, kEventKeys);
  // An operation event carries the operation: shown in the same order as `daxadm operations`.
  if (fields.value("type", "") == "operation" && data.contains("data")) {
    fields["data"] = operation_object(data["data"]);
  }
  for (auto const& [key, value] : fields.items()) {
    if (key != "id" || !out.contains("id")) out[key] = value;
  }
  return out.dump();
}

bool operation_is_final(json const& op) {
  std::string const state = text_of(op, "state");
  return state == "completed" || state == "rolled_back" || state == "failed";
}

std::string operation_id(json const& op) {
  std::string const id = text_of(op, "id");
  return id.empty() ? "?" : id;
}

std::string render_operations_table(json const& ops) {
  Table table({"ID", "TYPE", "TARGET", "STATE", "ERROR"});
  if (!ops.is_array()) return {};
  for (json const& op : ops) {
    if (!op.is_object()) continue;
    table.add_row({text_of(op, "id"), text_of(op, "type"), text_of(op, "target"),
                   text_of(op, "state"), text_of(op, "error")});
  }
  return table.rows() == 0 ? std::string() : table.render();
}

}  // namespace daxd::cli
