// SPDX-License-Identifier: Apache-2.0
// create-snapshot with quiesce hooks: a copy under a MAP_SYNC mapping completes when the hook
// ends the mapping, and the applications are told to resume once the snapshot is recorded.
#include <gtest/gtest.h>

#include "daemon/orchestrator/snapshot_ops.h"
#include "tests/unit/hooks/hook_env.h"

namespace daxd::testing {
namespace {

using orchestrator::kCreateSnapshot;

struct SnapshotHookEnv : HookEnv {
  explicit SnapshotHookEnv(std::string const& name) : HookEnv("snap-" + name) {
    orchestrator::register_snapshot_operations(*engine, state->desired(), state->journal(),
                                               hooks.get());
  }
  nlohmann::json request(std::string const& method, std::string const& store,
                         std::string const& policy) {
    auto r = orchestrator::normalise_create_snapshot(
        *host, state->desired(), "vol",
        {{"name", "n"}, {"method", method}, {"namespaces", {store}}, {"policy", policy},
         {"deadline_ms", 200}});
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : nlohmann::json{};
  }
};

TEST(SnapshotHooks, CopyWaitsForTheHookToEndTheMapSyncMappingThenResumesIt) {
  SnapshotHookEnv env("copy-wait");
  env.make_mounted_volume();
  env.make_namespace("s", "region1");
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "x"));
  ASSERT_TRUE(env.host->add_process(
      host::sim::process(777, "pgwal", {host::sim::mapping("/mnt/vol/data", true)})));
  env.fake_hook(/*leaving=*/777);
  env.add_exec_hook();
  Operation const op = env.run(kCreateSnapshot, env.request("copy", "s", "wait"));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_EQ(env.phases(), (std::vector<std::string>{"quiesce", "resume"}));
  EXPECT_EQ(op.steps.back().name, "resume-hooks");
  EXPECT_EQ(*env.host->read_file("/dev/mapper/daxd-vol@n", "/data"), "x");
  expect_at_rest(*env.host);
}

TEST(SnapshotHooks, AFailedCowRollsBackAndTellsTheHooksToResume) {
  SnapshotHookEnv env("cow-fails");
  env.make_mounted_volume();
  env.make_namespace("c", "region1", "32M");
  env.fake_hook();
  env.add_exec_hook();
  ASSERT_TRUE(env.host->inject_fault("fs.mount", EIO));
  Operation const op = env.run(kCreateSnapshot, env.request("cow", "c", "wait"));
  EXPECT_EQ(op.state, OperationState::rolled_back) << op.error;
  EXPECT_EQ(env.phases(), (std::vector<std::string>{"quiesce", "resume"}));
  auto const s = env.host->state();
  ASSERT_EQ(s.dm_devices.size(), 1u) << "only the DAX volume is left";
  EXPECT_EQ(s.dm_devices[0].table.at(0).type, "linear");
  auto const* m = env.mount_at(s, kMnt);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->dax, DaxMode::always);
  expect_at_rest(*env.host);
}

}  // namespace
}  // namespace daxd::testing
