// SPDX-License-Identifier: Apache-2.0
// An operation: a journaled list of steps that changes one or more resources.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace daxd {

enum class OperationState { pending, running, rolling_back, completed, rolled_back, failed };
enum class StepState { pending, intent, done, undoing, undone, failed };

std::string_view to_string(OperationState s);
std::string_view to_string(StepState s);
/// True for the states an operation never leaves.
bool is_final(OperationState s);

struct StepRecord {
  std::string name;         // "create-namespace", "mount", ...
  std::string description;  // "region0: create 1073741824-byte fsdax namespace 'db'"
  StepState state = StepState::pending;
  bool commit_point = false;
  friend bool operator==(StepRecord const&, StepRecord const&) = default;
};

struct Operation {
  std::int64_t id = 0;
  std::string type;    // "create-namespace", "set-dax", ...
  std::string target;  // the resource it changes: "namespace/db"
  OperationState state = OperationState::pending;
  std::vector<StepRecord> steps;
  bool past_commit = false;
  std::int64_t created_at_ms = 0;
  std::int64_t finished_at_ms = 0;
  std::int64_t stopped_ms = 0;  // how long the world was stopped (quiesce to resume)
  std::int64_t frozen_ms = 0;   // how long a filesystem was frozen
  std::string error;
  std::string error_code;  // the Errc name of `error` ("busy"), "" when none
  std::string request;     // the request body as JSON text, for recovery and audit
  friend bool operator==(Operation const&, Operation const&) = default;
};

}  // namespace daxd
