// SPDX-License-Identifier: Apache-2.0
// Crash matrix for reconcile-volume: daxd dies at each crash point while bringing a volume
// back; after the restart, recovery and a new reconcile leave it active, identical, data intact.
#include <gtest/gtest.h>

#include "tests/unit/orchestrator/crash_harness.h"
#include "tests/unit/reconcile/reconcile_env.h"

namespace daxd::testing {
namespace {

using orchestrator::kReconcileVolume;

struct ReconcileCrash {
  std::string point;
};

std::ostream& operator<<(std::ostream& os, ReconcileCrash const& c) { return os << c.point; }

class ReconcileCrashMatrix : public ::testing::TestWithParam<ReconcileCrash> {};

TEST_P(ReconcileCrashMatrix, RestartRecoversAndReconcilesToActive) {
  ReconcileCrash const c = GetParam();
  ReconcileEnv env("crash-" + c.point);
  env.make_mounted_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "survives crashes"));
  auto const table = env.host->state().dm_devices.at(0).table;
  env.reboot();
  env.close();
  crash_child_at(c.point, [&] {
    env.open_reconcile();
    ignore_result(
        orchestrator::reconcile_volumes(*env.engine, *env.host, env.state->desired(), env.sink));
  });
  if (HasFatalFailure()) return;

  env.reopen_reconcile();
  Operation op;
  recover_crashed(*env.engine, env.state->journal(), kReconcileVolume, op);
  if (HasFatalFailure()) return;
  auto const report = env.reconcile();
  EXPECT_EQ(report.failed, 0);
  auto const s = env.host->state();
  ASSERT_EQ(s.dm_devices.size(), 1u);
  EXPECT_EQ(s.dm_devices[0].table, table);
  EXPECT_EQ(s.dm_devices[0].type, host::sim::DmType::dax_bio_based);
  auto const vols = env.volumes();
  ASSERT_EQ(vols.size(), 1u);
  EXPECT_EQ(vols[0].state, VolumeState::active) << vols[0].reason;
  EXPECT_EQ(*env.host->read_file(kNode, "/data"), "survives crashes");
  expect_at_rest(*env.host);
}

std::vector<ReconcileCrash> all_crash_points() {
  std::vector<ReconcileCrash> cases;
  for (auto const* where : {"before", "after"}) {
    for (auto const* step : {"create-dm", "mount"}) {
      cases.push_back({std::string(kReconcileVolume) + "." + step + "." + where});
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Reconcile, ReconcileCrashMatrix, ::testing::ValuesIn(all_crash_points()),
                         [](auto const& param_info) {
                           std::string n = param_info.param.point;
                           for (char& ch : n) {
                             if (ch == '.' || ch == '-') ch = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace daxd::testing
