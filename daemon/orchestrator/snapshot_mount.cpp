// SPDX-License-Identifier: Apache-2.0
// kMountSnapshot: placeholder until the operation lands (the plan refuses).
#include "daemon/orchestrator/snapshot_ops.h"
#include "daemon/orchestrator/snapshot_spec.h"

namespace daxd::orchestrator::detail {

OperationType mount_snapshot_type(state::DesiredState&) {
  return OperationType{kMountSnapshot,
                       [](nlohmann::json const&) -> Result<Plan> {
                         return Fail(Errc::unsupported, std::string(kMountSnapshot) + " is not built yet");
                       },
                       {}};
}

}  // namespace daxd::orchestrator::detail
