// SPDX-License-Identifier: Apache-2.0
// Names of operation and step states.
#include "daemon/model/operation.h"

namespace daxd {

std::string_view to_string(OperationState s) {
  switch (s) {
    case OperationState::pending:
      return "pending";
    case OperationState::running:
      return "running";
    case OperationState::rolling_back:
      return "rolling_back";
    case OperationState::completed:
      return "completed";
    case OperationState::rolled_back:
      return "rolled_back";
    case OperationState::failed:
      return "failed";
  }
  return "failed";
}

std::string_view to_string(StepState s) {
  switch (s) {
    case StepState::pending:
      return "pending";
    case StepState::intent:
      return "intent";
    case StepState::done:
      return "done";
    case StepState::undoing:
      return "undoing";
    case StepState::undone:
      return "undone";
    case StepState::failed:
      return "failed";
  }
  return "failed";
}

bool is_final(OperationState s) {
  switch (s) {
    case OperationState::pending:
    case OperationState::running:
    case OperationState::rolling_back:
      return false;
    case OperationState::completed:
    case OperationState::rolled_back:
    case OperationState::failed:
      return true;
  }
  return false;
}

}  // namespace daxd
