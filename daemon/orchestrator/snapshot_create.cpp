// SPDX-License-Identifier: Apache-2.0
// create-snapshot: placeholder until the operation lands (the plan refuses).
#include "daemon/orchestrator/snapshot_ops.h"
#include "daemon/orchestrator/snapshot_spec.h"

namespace daxd::orchestrator::detail {

OperationType create_snapshot_type(state::DesiredState&, state::Journal&, Hooks*) {
  return OperationType{kCreateSnapshot,
                       [](nlohmann::json const&) -> Result<Plan> {
                         return Fail(Errc::unsupported, "create-snapshot is not built yet");
                       },
                       {}};
}

}  // namespace daxd::orchestrator::detail
