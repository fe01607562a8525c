// SPDX-License-Identifier: Apache-2.0
// The cow stack back to the volume's DAX-capable table: placeholder until it lands.
#include "daemon/orchestrator/snapshot_spec.h"

namespace daxd::orchestrator::detail {

std::vector<Step> cow_stack_to_dax_steps(Volume const&, std::vector<Snapshot> const&) { return {}; }

}  // namespace daxd::orchestrator::detail
