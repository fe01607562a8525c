// SPDX-License-Identifier: Apache-2.0
// The API over the real engine with the volume operations registered, desired state wired into
// Services, and the inventory's volumes built as daxd's main builds them.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "daemon/orchestrator/volume_ops.h"
#include "daemon/orchestrator/volume_view.h"
// Services grows members while other work lands; its aggregate init in engine_env.h must not
// stop these tests from building.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "tests/unit/api/engine_env.h"
#pragma GCC diagnostic pop

namespace daxd::api::testing {

struct VolumeApiEnv : ApiEngineEnv {
  explicit VolumeApiEnv(std::string const& name) : ApiEngineEnv("vol-" + name) {
    orchestrator::register_volume_operations(*engine, state->desired(), state->journal());
    inventory->set_volume_source(
        [this](inventory::View const& kernel) -> Result<std::vector<Volume>> {
          DAXD_ASSIGN_OR_RETURN(auto const desired,
                                orchestrator::desired_volumes(state->desired()));
          return orchestrator::build_volume_view(desired, kernel.dm_devices, kernel.mounts);
        });
    services->desired = &state->desired();
  }

  /// An fsdax namespace through the API; fails the test unless it was created.
  void make_namespace(std::string const& name, std::string const& region = "region0",
                      std::string const& size = "256M") {
    nlohmann::json const body{{"name", name}, {"region", region}, {"size", size}};
    auto const res = call("POST", "/v1/namespaces?wait=10", body.dump());
    EXPECT_EQ(res.status, 201U) << res.body;
  }
};

}  // namespace daxd::api::testing
