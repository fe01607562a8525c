// SPDX-License-Identifier: Apache-2.0
// set-dax with quiesce hooks on the sim host: a hook that ends a MAP_SYNC mapping lets `wait`
// through, a failing or hanging hook rolls the change back naming it, and the hooks asked to
// quiesce always hear "resume".
#include <mutex>

#include <gtest/gtest.h>

#include "tests/unit/hooks/hook_env.h"

namespace daxd::testing {
namespace {

using orchestrator::kSetDax;
namespace sim = host::sim;

DaxMode mounted_mode(HookEnv& env) {
  auto const s = env.host->state();
  auto const* m = env.mount_at(s, kMnt);
  EXPECT_NE(m, nullptr) << "nothing mounted at " << kMnt;
  return m == nullptr ? DaxMode::inode : m->dax;
}

void add_map_sync_user(HookEnv& env) {
  ASSERT_TRUE(env.host->add_process(
      sim::process(777, "pgwal", {sim::mapping("/mnt/vol/wal", /*map_sync=*/true)})));
}

TEST(SetDaxHooks, WaitUnderMapSyncCompletesWhenTheHookEndsTheMapping) {
  HookEnv env("mapsync-ok");
  env.make_mounted_volume();
  add_map_sync_user(env);
  env.fake_hook(/*leaving=*/777);
  env.add_exec_hook();
  Operation const op = env.run(kSetDax, env.set_dax("never", "wait", 200));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_EQ(mounted_mode(env), DaxMode::never);
  EXPECT_TRUE(env.host->state().processes.empty());
  ASSERT_EQ(op.steps.size(), 5u);
  EXPECT_EQ(op.steps.back().name, "resume-hooks");
  auto const id = std::to_string(op.id);
  EXPECT_EQ(env.call_lines(), (std::vector<std::string>{"quiesce " + id + " vol /mnt/vol 200",
                                                        "resume " + id + " vol /mnt/vol 200"}));
  expect_at_rest(*env.host);
}

TEST(SetDaxHooks, WithoutHooksWaitIsRefusedUnderMapSyncNamingThePid) {
  HookEnv env("mapsync-nohook");
  env.make_mounted_volume();
  add_map_sync_user(env);
  env.fake_hook(777);  // a program, but no hook registered
  auto refused = env.engine->submit(kSetDax, env.set_dax("never", "wait", 200));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::busy);
  EXPECT_NE(refused.error().message.find("pid 777 (pgwal)"), std::string::npos)
      << refused.error().message;
  EXPECT_TRUE(env.phases().empty());
  EXPECT_EQ(mounted_mode(env), DaxMode::always);
}

TEST(SetDaxHooks, RefuseCallsNoHook) {
  HookEnv env("refuse");
  env.make_mounted_volume();
  env.fake_hook();
  env.add_exec_hook();
  Operation const op = env.run(kSetDax, env.set_dax("never", "refuse"));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_TRUE(env.phases().empty()) << "refuse asks no hook, and so resumes none";
  ASSERT_TRUE(env.host->add_process(sim::process(31, "reader", {sim::open_fd("/mnt/vol/f")})));
  auto refused = env.engine->submit(kSetDax, env.set_dax("always", "refuse"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("pid 31 (reader)"), std::string::npos)
      << refused.error().message;
  EXPECT_TRUE(env.phases().empty());
}

TEST(SetDaxHooks, AFailingHookRollsBackNamingItAndResumes) {
  HookEnv env("failing");
  env.make_mounted_volume();
  env.fake_hook(0, /*status=*/3);
  env.add_exec_hook("flusher");
  Operation const op = env.run(kSetDax, env.set_dax("never", "wait", 200));
  ASSERT_EQ(op.state, OperationState::rolled_back);
  EXPECT_NE(op.error.find("'flusher'"), std::string::npos) << op.error;
  EXPECT_NE(op.error.find("failed with status 3: boom"), std::string::npos) << op.error;
  EXPECT_EQ(env.phases(), (std::vector<std::string>{"quiesce", "resume"}));
  EXPECT_EQ(mounted_mode(env), DaxMode::always);
  expect_at_rest(*env.host);
}

TEST(SetDaxHooks, ATimedOutHookRollsBackNamingItAndResumes) {
  HookEnv env("timeout");
  env.make_mounted_volume();
  env.fake_hook(0, 0, /*time_out=*/true);
  env.add_exec_hook("slow", 50);
  Operation const op = env.run(kSetDax, env.set_dax("inode", "terminate", 200));
  ASSERT_EQ(op.state, OperationState::rolled_back);
  EXPECT_NE(op.error.find("'slow'"), std::string::npos) << op.error;
  EXPECT_NE(op.error.find("did not finish within 50 ms"), std::string::npos) << op.error;
  EXPECT_EQ(env.phases(), (std::vector<std::string>{"quiesce", "resume"}));
  EXPECT_EQ(mounted_mode(env), DaxMode::always);
}

TEST(SetDaxHooks, AProcessStillThereAtTheDeadlineRollsBackAndResumes) {
  HookEnv env("stays");
  env.make_mounted_volume();
  add_map_sync_user(env);
  env.fake_hook();  // says done, but the application keeps its mapping
  env.add_exec_hook();
  Operation const op = env.run(kSetDax, env.set_dax("never", "wait", 50));
  ASSERT_EQ(op.state, OperationState::rolled_back);
  EXPECT_NE(op.error.find("pid 777 (pgwal)"), std::string::npos) << op.error;
  EXPECT_EQ(env.phases(), (std::vector<std::string>{"quiesce", "resume"}));
  EXPECT_EQ(mounted_mode(env), DaxMode::always);
}

TEST(SetDaxHooks, ResumesAfterAMountFault) {
  HookEnv env("mountfault");
  env.make_mounted_volume();
  env.fake_hook();
  env.add_exec_hook();
  ASSERT_TRUE(env.host->inject_fault("fs.mount", EIO));
  Operation const op = env.run(kSetDax, env.set_dax("never", "wait", 200));
  ASSERT_EQ(op.state, OperationState::rolled_back) << op.error;
  EXPECT_EQ(env.phases(), (std::vector<std::string>{"quiesce", "resume"}));
  EXPECT_EQ(mounted_mode(env), DaxMode::always);
  expect_at_rest(*env.host);
  // And once more without the fault: quiesce, resume again, the new mode live.
  Operation const again = env.run(kSetDax, env.set_dax("never", "wait", 200));
  ASSERT_EQ(again.state, OperationState::completed) << again.error;
  EXPECT_EQ(env.phases(), (std::vector<std::string>{"quiesce", "resume", "quiesce", "resume"}));
}

TEST(SetDaxHooks, EveryHookIsAskedInIdOrderAndTheFirstFailureStops) {
  HookEnv env("order");
  env.make_mounted_volume();
  env.fake_hook();
  std::vector<std::string> seen;
  std::mutex mu;
  env.host->fake_programs().add_fake("/opt/app/second", [&](auto const&, auto const& e) {
    std::lock_guard const lock(mu);
    seen.push_back("second " + env_value(e, "DAXD_PHASE") + " " + env_value(e, "DAXD_HOOK"));
    host::ProgramRun run;
    run.exit_code = env_value(e, "DAXD_PHASE") == "quiesce" ? 1 : 0;
    return run;
  });
  env.host->fake_programs().add_fake("/opt/app/third", [&](auto const&, auto const& e) {
    std::lock_guard const lock(mu);
    seen.push_back("third " + env_value(e, "DAXD_PHASE"));
    return host::ProgramRun{0, 0, false, ""};
  });
  env.add_exec_hook("first");
  ASSERT_TRUE(env.hooks->add(
      {{"volume", "vol"}, {"name", "second"}, {"kind", "exec"}, {"argv", {"/opt/app/second"}}}));
  ASSERT_TRUE(env.hooks->add(
      {{"volume", "vol"}, {"name", "third"}, {"kind", "exec"}, {"argv", {"/opt/app/third"}}}))
      << "a third hook whose program is never reached";
  Operation const op = env.run(kSetDax, env.set_dax("never", "wait", 100));
  ASSERT_EQ(op.state, OperationState::rolled_back);
  EXPECT_NE(op.error.find("'second'"), std::string::npos) << op.error;
  EXPECT_EQ(env.phases(), (std::vector<std::string>{"quiesce", "resume"}));
  std::lock_guard const lock(mu);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen[0], "second quiesce second");
  EXPECT_EQ(seen[1], "second resume second");
  // The failed quiesce step recorded no ids, so the rollback resumes every hook of the volume
  // (best effort); the third was never asked to quiesce.
  for (auto const& s : seen) EXPECT_NE(s, "third quiesce");
}

TEST(DestroyVolumeHooks, AsksTheHooksAndResumesThemOnRollback) {
  HookEnv env("destroy");
  env.make_mounted_volume();
  env.fake_hook(0, /*status=*/1);
  env.add_exec_hook();
  Operation const failed = env.run(orchestrator::kDestroyVolume, env.destroy("wait"));
  ASSERT_EQ(failed.state, OperationState::rolled_back);
  EXPECT_NE(failed.error.find("'app'"), std::string::npos) << failed.error;
  EXPECT_EQ(env.phases(), (std::vector<std::string>{"quiesce", "resume"}));
  env.fake_hook();
  Operation const done = env.run(orchestrator::kDestroyVolume, env.destroy("wait"));
  ASSERT_EQ(done.state, OperationState::completed) << done.error;
  EXPECT_EQ(env.phases(), (std::vector<std::string>{"quiesce", "resume", "quiesce"}))
      << "the volume and its hooks are gone: no resume";
  auto const left = env.hooks->list();
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->empty()) << "a destroyed volume's hooks go with it";
}

}  // namespace
}  // namespace daxd::testing
