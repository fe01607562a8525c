// SPDX-License-Identifier: Apache-2.0
// Crash matrix for create-volume and set-dax: daxd dies (SIGKILL) at every crash point; after a
// restart, recovery ends the operation completed or rolled back with the host matching the
// journal, nothing suspended or frozen, and the files unchanged.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include <gtest/gtest.h>

#include "tests/unit/orchestrator/crash_harness.h"
#include "tests/unit/volumes/volume_env.h"

namespace daxd::testing {
namespace {

using orchestrator::kCreateVolume;
using orchestrator::kSetDax;

struct VolumeCrash {
  std::string type;
  std::string point;  // the DAXD_CRASH_AT value
  std::string fault;  // a sim fault injected in the child ("" for none), to reach undo points
};

std::ostream& operator<<(std::ostream& os, VolumeCrash const& c) { return os << c.point; }

nlohmann::json request_for(VolumeEnv& env, VolumeCrash const& c) {
  if (c.type == kCreateVolume) {
    return env.create_volume(
        {{"name", "vol"}, {"namespaces", {"a"}}, {"mountpoint", kMnt}, {"force", true}});
  }
  return env.set_dax("never");
}

void expect_host_matches(VolumeEnv& env, VolumeCrash const& c, OperationState state) {
  bool const completed = state == OperationState::completed;
  auto const s = env.host->state();
  auto const* m = env.mount_at(s, kMnt);
  auto const vols = env.volumes();
  if (c.type == kCreateVolume) {
    EXPECT_EQ(s.dm_devices.size(), completed ? 1u : 0u) << "journal and host disagree";
    EXPECT_EQ(m != nullptr, completed) << "journal and host disagree";
    EXPECT_EQ(vols.size(), completed ? 1u : 0u) << "journal and desired state disagree";
    if (completed && !vols.empty()) {
      EXPECT_EQ(vols[0].state, VolumeState::active);
    }
    return;
  }
  DaxMode const want = completed ? DaxMode::never : DaxMode::always;
  ASSERT_NE(m, nullptr) << "set-dax must end with the filesystem mounted";
  EXPECT_EQ(m->dax, want) << "journal and host disagree";
  ASSERT_EQ(vols.size(), 1u);
  EXPECT_EQ(vols[0].dax, want) << "journal and desired state disagree";
  EXPECT_EQ(vols[0].state, VolumeState::active);
  EXPECT_EQ(*env.host->read_file(kNode, "/data"), "survives crashes");  // invariant 4
}

class VolumeCrashMatrix : public ::testing::TestWithParam<VolumeCrash> {};

TEST_P(VolumeCrashMatrix, RecoveryEndsCompletedOrRolledBackAndMatchesTheHost) {
  VolumeCrash const c = GetParam();
  VolumeEnv env("crash-" + c.point);
  env.make_namespace("a");
  if (c.type == kSetDax) {
    env.make_mounted_volume();
    ASSERT_TRUE(env.host->write_file(kNode, "/data", "survives crashes"));
  }
  nlohmann::json const request = request_for(env, c);
  env.close();
  crash_child_at(c.point, [&] {
    env.open_all();
    if (!c.fault.empty()) ignore_result(env.host->inject_fault(c.fault, EIO));
    submit_and_wait(*env.engine, c.type, request);
  });
  if (HasFatalFailure()) return;

  env.reopen_all();
  Operation op;
  recover_crashed(*env.engine, env.state->journal(), c.type, op);
  if (HasFatalFailure()) return;
  expect_host_matches(env, c, op.state);
  expect_at_rest(*env.host);
  // The host is usable afterwards: the same operation can run again to its end.
  if (op.state == OperationState::rolled_back) {
    EXPECT_EQ(env.run(c.type, request_for(env, c)).state, OperationState::completed);
  }
}

std::vector<VolumeCrash> all_crash_points() {
  std::vector<VolumeCrash> cases;
  for (auto const* where : {"before", "after"}) {
    for (auto const* step : {"create-dm", "make-filesystem", "mount", "record-desired"}) {
      cases.push_back({kCreateVolume, std::string(kCreateVolume) + "." + step + "." + where, ""});
    }
    for (auto const* step : {"quiesce", "unmount", "mount", "update-desired"}) {
      cases.push_back({kSetDax, std::string(kSetDax) + "." + step + "." + where, ""});
    }
  }
  // Crashes in the middle of a rollback: the mount fails, an undo is interrupted.
  cases.push_back({kCreateVolume, std::string(kCreateVolume) + ".mount.undo", "fs.mount"});
  cases.push_back({kCreateVolume, std::string(kCreateVolume) + ".create-dm.undo", "fs.mount"});
  cases.push_back({kSetDax, std::string(kSetDax) + ".mount.undo", "fs.mount"});
  cases.push_back({kSetDax, std::string(kSetDax) + ".unmount.undo", "fs.mount"});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Volumes, VolumeCrashMatrix, ::testing::ValuesIn(all_crash_points()),
                         [](auto const& param_info) {
                           std::string n = param_info.param.point;
                           for (char& ch : n) {
                             if (ch == '.' || ch == '-') ch = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace daxd::testing
