// SPDX-License-Identifier: Apache-2.0
// Crash matrix for set-dax with a quiesce hook: daxd dies at every crash point (resume-hooks
// included); after a restart, recovery ends the operation completed or rolled back, the host
// matches, and a hook that may have been asked to quiesce hears "resume".
#include <gtest/gtest.h>

#include "tests/unit/hooks/hook_env.h"
#include "tests/unit/orchestrator/crash_harness.h"

namespace daxd::testing {
namespace {

using orchestrator::kSetDax;

struct HookCrash {
  std::string point;
  std::string fault;  // injected in the child to reach undo points
};

std::ostream& operator<<(std::ostream& os, HookCrash const& c) { return os << c.point; }

class HookCrashMatrix : public ::testing::TestWithParam<HookCrash> {};

TEST_P(HookCrashMatrix, RecoveryEndsCompletedOrRolledBackAndResumes) {
  HookCrash const c = GetParam();
  HookEnv env("crash-" + c.point);
  env.make_mounted_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "survives crashes"));
  ASSERT_TRUE(env.host->add_process(
      host::sim::process(777, "pgwal", {host::sim::mapping("/mnt/vol/wal", true)})));
  env.fake_hook(/*leaving=*/777);
  env.add_exec_hook();
  auto const request = env.set_dax("never", "wait", 200);
  env.close_all();
  crash_child_at(c.point, [&] {
    env.open_hooked();
    if (!c.fault.empty()) ignore_result(env.host->inject_fault(c.fault, EIO));
    submit_and_wait(*env.engine, kSetDax, request);
  });
  if (HasFatalFailure()) return;

  env.reopen_hooked();
  Operation op;
  recover_crashed(*env.engine, env.state->journal(), kSetDax, op);
  if (HasFatalFailure()) return;
  bool const completed = op.state == OperationState::completed;
  auto const s = env.host->state();
  auto const* m = env.mount_at(s, kMnt);
  ASSERT_NE(m, nullptr) << "set-dax must end with the filesystem mounted";
  EXPECT_EQ(m->dax, completed ? DaxMode::never : DaxMode::always) << "journal and host disagree";
  auto const vols = env.volumes();
  ASSERT_EQ(vols.size(), 1u);
  EXPECT_EQ(vols[0].dax, m->dax) << "journal and desired state disagree";
  EXPECT_EQ(*env.host->read_file(kNode, "/data"), "survives crashes");
  expect_at_rest(*env.host);

  auto const phases = env.phases();
  bool const asked = std::find(phases.begin(), phases.end(), "quiesce") != phases.end();
  if (asked) {
    EXPECT_EQ(phases.back(), "resume") << "a hook asked to quiesce is told to resume";
  }
  // The hook is asked in the quiesce step: before it, never; from its end on, always.
  EXPECT_EQ(asked, c.point != std::string(kSetDax) + ".quiesce.before");
  // The host is usable afterwards.
  if (op.state == OperationState::rolled_back) {
    Operation const again = env.run(kSetDax, env.set_dax("never", "wait", 200));
    EXPECT_EQ(again.state, OperationState::completed) << again.error;
  }
}

std::vector<HookCrash> all_crash_points() {
  std::vector<HookCrash> cases;
  for (auto const* where : {"before", "after"}) {
    for (auto const* step : {"quiesce", "unmount", "mount", "update-desired", "resume-hooks"}) {
      cases.push_back({std::string(kSetDax) + "." + step + "." + where, ""});
    }
  }
  cases.push_back({std::string(kSetDax) + ".quiesce.undo", "fs.mount"});
  cases.push_back({std::string(kSetDax) + ".unmount.undo", "fs.mount"});
  cases.push_back({std::string(kSetDax) + ".mount.undo", "fs.mount"});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Hooks, HookCrashMatrix, ::testing::ValuesIn(all_crash_points()),
                         [](auto const& param_info) {
                           std::string n = param_info.param.point;
                           for (char& ch : n) {
                             if (ch == '.' || ch == '-') ch = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace daxd::testing
