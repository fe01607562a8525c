// SPDX-License-Identifier: Apache-2.0
// kDestroySnapshot: placeholder until the operation lands (the plan refuses).
#include "daemon/orchestrator/snapshot_ops.h"
#include "daemon/orchestrator/snapshot_spec.h"

namespace daxd::orchestrator::detail {

OperationType destroy_snapshot_type(state::DesiredState&, state::Journal&, Hooks*) {
  return OperationType{kDestroySnapshot,
                       [](nlohmann::json const&) -> Result<Plan> {
                         return Fail(Errc::unsupported, std::string(kDestroySnapshot) + " is not built yet");
                       },
                       {}};
}

}  // namespace daxd::orchestrator::detail
