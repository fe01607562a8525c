// SPDX-License-Identifier: Apache-2.0
// set-dax on the sim host: MAP_SYNC refusals, the three policies, data integrity, mode cycles,
// and faults at each step bringing the old mode back.
#include <gtest/gtest.h>

#include "tests/unit/volumes/volume_env.h"

namespace daxd::testing {
namespace {

using orchestrator::kSetDax;

DaxMode mounted_mode(VolumeEnv& env) {
  auto const s = env.host->state();
  auto const* m = env.mount_at(s, kMnt);
  EXPECT_NE(m, nullptr) << "nothing mounted at " << kMnt;
  return m == nullptr ? DaxMode::inode : m->dax;
}

DaxMode desired_mode(VolumeEnv& env) {
  auto v = orchestrator::desired_volume(env.state->desired(), "vol");
  EXPECT_TRUE(v);
  return v ? v->dax : DaxMode::inode;
}

TEST(SetDax, IsRefusedUnderAMapSyncMappingAndNamesThePid) {
  VolumeEnv env("mapsync");
  env.make_mounted_volume();
  ASSERT_TRUE(env.host->add_process(
      host::sim::process(777, "pgwal", {host::sim::mapping("/mnt/vol/wal", /*map_sync=*/true)})));
  for (auto const* policy : {"refuse", "wait"}) {
    auto refused = env.engine->submit(kSetDax, env.set_dax("never", policy));
    ASSERT_FALSE(refused) << policy;
    EXPECT_EQ(refused.error().code, Errc::busy);
    EXPECT_NE(refused.error().message.find("pid 777 (pgwal)"), std::string::npos)
        << refused.error().message;
    ASSERT_EQ(refused.error().blockers.size(), 1u);
    EXPECT_TRUE(refused.error().blockers[0].map_sync);
  }
  EXPECT_EQ(mounted_mode(env), DaxMode::always);
  EXPECT_EQ(env.host->state().processes.size(), 1u);
}

TEST(SetDax, TerminateRemovesTheMapSyncUserAndKeepsTheData) {
  VolumeEnv env("terminate");
  env.make_mounted_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/wal/000001", "committed transaction"));
  ASSERT_TRUE(env.host->add_process(
      host::sim::process(777, "pgwal", {host::sim::mapping("/mnt/vol/wal/000001", true)})));
  Operation const op = env.run(kSetDax, env.set_dax("never", "terminate"));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_TRUE(env.host->state().processes.empty()) << "pid 777 was terminated";
  EXPECT_EQ(mounted_mode(env), DaxMode::never);
  EXPECT_EQ(desired_mode(env), DaxMode::never);
  EXPECT_EQ(*env.host->read_file(kNode, "/wal/000001"), "committed transaction");  // invariant 4
  EXPECT_GE(op.stopped_ms, 0);
  ASSERT_EQ(op.steps.size(), 4u);
  EXPECT_TRUE(op.past_commit);
  expect_at_rest(*env.host);
}

TEST(SetDax, TerminateFallsBackToSigkill) {
  VolumeEnv env("sigkill");
  env.make_mounted_volume();
  auto stubborn = host::sim::process(5, "stubborn", {host::sim::cwd("/mnt/vol")});
  stubborn.ignore_sigterm = true;
  ASSERT_TRUE(env.host->add_process(stubborn));
  Operation const op = env.run(kSetDax, env.set_dax("never", "terminate", 50));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_TRUE(env.host->state().processes.empty());
  // The world stayed stopped at least through the SIGTERM deadline, and the journal says so.
  EXPECT_GE(op.stopped_ms, 50);
}

TEST(SetDax, WaitGivesUpAtTheDeadlineAndListsWhoIsLeft) {
  VolumeEnv env("wait");
  env.make_mounted_volume();
  ASSERT_TRUE(
      env.host->add_process(host::sim::process(31, "reader", {host::sim::open_fd("/mnt/vol/f")})));
  Operation const op = env.run(kSetDax, env.set_dax("never", "wait", 50));
  EXPECT_EQ(op.state, OperationState::rolled_back);
  EXPECT_NE(op.error.find("pid 31 (reader)"), std::string::npos) << op.error;
  EXPECT_EQ(mounted_mode(env), DaxMode::always);
  EXPECT_EQ(desired_mode(env), DaxMode::always);
  // Once the reader has gone, wait goes through.
  ASSERT_TRUE(env.host->remove_process(31));
  EXPECT_EQ(env.run(kSetDax, env.set_dax("never", "wait", 50)).state, OperationState::completed);
}

TEST(SetDax, RefuseListsEveryProcessBlocker) {
  VolumeEnv env("refuse");
  env.make_mounted_volume();
  ASSERT_TRUE(env.host->add_process(host::sim::process(1, "a", {host::sim::cwd("/mnt/vol")})));
  ASSERT_TRUE(
      env.host->add_process(host::sim::process(2, "b", {host::sim::open_fd("/mnt/vol/x")})));
  auto refused = env.engine->submit(kSetDax, env.set_dax("inode"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::busy);
  EXPECT_EQ(refused.error().blockers.size(), 2u);
  EXPECT_NE(refused.error().message.find("and 1 more"), std::string::npos)
      << refused.error().message;
}

TEST(SetDax, CyclesAlwaysNeverAlwaysKeepingTheFiles) {
  VolumeEnv env("cycle");
  env.make_mounted_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/a", std::string(4096, 'x')));
  ASSERT_TRUE(env.host->write_file(kNode, "/b", "second"));
  for (auto const* mode : {"never", "always", "inode", "always"}) {
    Operation const op = env.run(kSetDax, env.set_dax(mode));
    ASSERT_EQ(op.state, OperationState::completed) << mode << ": " << op.error;
    DaxMode const want = *parse_dax_mode(mode);
    EXPECT_EQ(mounted_mode(env), want);
    EXPECT_EQ(desired_mode(env), want);
    EXPECT_EQ(env.volumes().at(0).state, VolumeState::active);
    EXPECT_EQ(*env.host->read_file(kNode, "/a"), std::string(4096, 'x'));
    EXPECT_EQ(*env.host->read_file(kNode, "/b"), "second");
    expect_at_rest(*env.host);
  }
  // The same mode again is a no-op plan.
  Operation const same = env.run(kSetDax, env.set_dax("always"));
  EXPECT_EQ(same.state, OperationState::completed);
  EXPECT_TRUE(same.steps.empty());
}

TEST(SetDax, FaultsAtEachStepBringTheOldModeBack) {
  for (auto const& [op_name, err] :
       {std::pair{"fs.unmount", EBUSY}, std::pair{"fs.unmount", EIO}, std::pair{"fs.mount", EBUSY},
        std::pair{"fs.mount", EIO}, std::pair{"proc.find_consumers", EIO}}) {
    SCOPED_TRACE(std::string(op_name) + " " + std::to_string(err));
    VolumeEnv env(std::string("sfault-") + op_name + std::to_string(err));
    env.make_mounted_volume();
    ASSERT_TRUE(env.host->write_file(kNode, "/data", "unchanged"));
    auto const request = env.set_dax("never");
    ASSERT_TRUE(env.host->inject_fault(op_name, err));
    auto sub = env.engine->submit(kSetDax, request);
    if (sub) {
      auto done = env.engine->wait(sub->operation.id, std::chrono::seconds(10));
      ASSERT_TRUE(done);
      EXPECT_EQ(done->state, OperationState::rolled_back) << done->error;
    }  // else the fault hit the preflight: refused before anything changed
    EXPECT_EQ(mounted_mode(env), DaxMode::always);
    EXPECT_EQ(desired_mode(env), DaxMode::always);
    EXPECT_EQ(*env.host->read_file(kNode, "/data"), "unchanged");
    expect_at_rest(*env.host);
    ASSERT_TRUE(env.host->clear_faults());
    EXPECT_EQ(env.run(kSetDax, env.set_dax("never")).state, OperationState::completed);
  }
}

TEST(SetDax, NeedsAMountedFilesystem) {
  VolumeEnv env("nofs");
  env.make_namespace("a");
  ASSERT_EQ(
      env.run(orchestrator::kCreateVolume,
              env.create_volume({{"name", "vol"}, {"namespaces", {"a"}}, {"filesystem", "none"}}))
          .state,
      OperationState::completed);
  auto r = orchestrator::normalise_set_dax(env.state->desired(), "vol", {{"dax", "never"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  auto missing = orchestrator::normalise_set_dax(env.state->desired(), "nope", {{"dax", "never"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

}  // namespace
}  // namespace daxd::testing
