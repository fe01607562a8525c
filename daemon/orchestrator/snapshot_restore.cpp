// SPDX-License-Identifier: Apache-2.0
// kRestoreSnapshot: placeholder until the operation lands (the plan refuses).
#include "daemon/orchestrator/snapshot_ops.h"
#include "daemon/orchestrator/snapshot_spec.h"

namespace daxd::orchestrator::detail {

OperationType restore_snapshot_type(state::DesiredState&, state::Journal&, Hooks*) {
  return OperationType{kRestoreSnapshot,
                       [](nlohmann::json const&) -> Result<Plan> {
                         return Fail(Errc::unsupported, std::string(kRestoreSnapshot) + " is not built yet");
                       },
                       {}};
}

}  // namespace daxd::orchestrator::detail
