// SPDX-License-Identifier: Apache-2.0
// Plans rendered for users (dry_run answers).
#include "daemon/orchestrator/step.h"

namespace daxd::orchestrator {

nlohmann::json plan_to_json(Plan const& plan) {
  nlohmann::json steps = nlohmann::json::array();
  for (auto const& s : plan.steps) {
    nlohmann::json j{{"name", s.name}, {"description", s.description}};
    if (s.commit_point) j["commit_point"] = true;
    if (!s.undo) j["undoable"] = false;
    steps.push_back(std::move(j));
  }
  nlohmann::json out{{"type", plan.type}, {"target", plan.target}, {"steps", std::move(steps)}};
  if (!plan.notes.empty()) out["notes"] = plan.notes;
  return out;
}

}  // namespace daxd::orchestrator
