// SPDX-License-Identifier: Apache-2.0
// Steps and plans: an operation is a list of idempotent steps, each with do and undo.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/host/host.h"
#include "daemon/model/result.h"

namespace daxd::orchestrator {

/// Whether a step changed anything (stratisd's Identity/Created): a repeated step says unchanged.
enum class Outcome { changed, unchanged };

/// What a step sees while it runs. `data` is journaled with the step (at intent and at done), so
/// an undo or a roll-forward after a crash knows what the step made. Steps must still find their
/// objects by stable identity (label names, dm names), since a crash can fall between the
/// kernel's change and the journal's "done".
struct StepContext {
  host::Host& host;
  nlohmann::json& data;
  std::int64_t operation_id = 0;  // the journal's id, for steps that record times
};

using StepFn = std::function<Result<Outcome>(StepContext&)>;

struct Step {
  std::string name;           // "create-namespace": also names its crash points
  std::string description;    // "region0: create a 1073741824-byte fsdax namespace 'db'"
  StepFn run;                 // idempotent
  StepFn undo;                // idempotent; empty when there is nothing to undo
  bool commit_point = false;  // once done, recovery rolls the operation forward
};

struct Plan {
  std::string type;                    // "create-namespace"
  std::string target;                  // the resource users see: "namespace/db"
  std::vector<std::string> resources;  // locked while the operation runs
  std::vector<Step> steps;
  std::vector<std::string> notes;  // what users must know: "the mode change keeps no data"
};

/// The plan as JSON for dry runs: type, target, steps (name, description, commit_point), notes.
nlohmann::json plan_to_json(Plan const& plan);

}  // namespace daxd::orchestrator
