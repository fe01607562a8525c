// SPDX-License-Identifier: Apache-2.0
// Crash matrix for destroy-snapshot and restore-snapshot: daxd dies (SIGKILL) before and after
// every step (and inside rollbacks); after a restart, recovery ends the operation completed or
// rolled back, the dm devices, mounts and records match that ending, nothing is suspended or
// frozen, and the data are those the ending promises.
#include <gtest/gtest.h>

#include "tests/unit/orchestrator/crash_harness.h"
#include "tests/unit/snapshot_lifecycle/snapshot_env.h"

namespace daxd::testing {
namespace {

using orchestrator::kDestroySnapshot;
using orchestrator::kRestoreSnapshot;

enum class Scenario { destroy_copy, destroy_cow, destroy_last_cow, restore_cow, restore_copy };

struct SnapCrash {
  Scenario scenario;
  std::string point;  // the DAXD_CRASH_AT value
  std::string fault;  // a sim fault injected in the child ("" for none), to reach undo points
};

std::ostream& operator<<(std::ostream& os, SnapCrash const& c) { return os << c.point; }

std::string type_of(Scenario s) {
  switch (s) {
    case Scenario::destroy_copy:
    case Scenario::destroy_cow:
    case Scenario::destroy_last_cow:
      return kDestroySnapshot;
    case Scenario::restore_cow:
    case Scenario::restore_copy:
      return kRestoreSnapshot;
  }
  return "";
}

bool is_copy(Scenario s) { return s == Scenario::destroy_copy || s == Scenario::restore_copy; }

void make_world(SnapshotEnv& env, Scenario s) {
  env.make_world();
  if (is_copy(s)) {
    env.make_copy("x", kSnapMnt);
  } else {
    env.make_cow("x", 0, kSnapMnt);
  }
  if (s == Scenario::destroy_cow) env.make_cow("y", 1);
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "after the snapshot"));
}

nlohmann::json request_for(SnapshotEnv& env, Scenario s) {
  return type_of(s) == kDestroySnapshot ? env.destroy_request("x") : env.restore_request("x");
}

// The snapshot "x" is as before: its device (and store), its read-only mount, its record.
void expect_snapshot_kept(SnapshotEnv& env, Scenario s) {
  EXPECT_TRUE(env.dm("daxd-vol@x").has_value()) << "journal and host disagree";
  if (!is_copy(s)) {
    EXPECT_TRUE(env.dm("daxd-vol@x+cow").has_value());
  }
  auto const host_state = env.host->state();
  auto const* ro = env.mount_at(host_state, kSnapMnt);
  EXPECT_NE(ro, nullptr) << "the read-only mount comes back";
  EXPECT_EQ(env.read("/dev/mapper/daxd-vol@x"), "at snapshot time");
  auto const snaps = env.snapshots();
  EXPECT_TRUE(std::any_of(snaps.begin(), snaps.end(), [](auto const& x) { return x.name == "x"; }))
      << "journal and desired state disagree";
  EXPECT_EQ(env.read(kNode), "after the snapshot");
}

void expect_snapshot_gone(SnapshotEnv& env) {
  EXPECT_FALSE(env.dm("daxd-vol@x").has_value()) << "journal and host disagree";
  EXPECT_FALSE(env.dm("daxd-vol@x+cow").has_value());
  EXPECT_FALSE(env.is_mounted(kSnapMnt));
  auto const snaps = env.snapshots();
  EXPECT_FALSE(std::any_of(snaps.begin(), snaps.end(), [](auto const& x) { return x.name == "x"; }))
      << "journal and desired state disagree";
}

void expect_cow_stack(SnapshotEnv& env) {
  auto const origin = env.dm("daxd-vol");
  ASSERT_TRUE(origin.has_value());
  EXPECT_EQ(origin->table.front().type, "snapshot-origin");
  EXPECT_TRUE(env.dm("daxd-vol+real").has_value());
  auto const host_state = env.host->state();
  auto const* m = env.mount_at(host_state, kMnt);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->dax, DaxMode::never);
  EXPECT_FALSE(env.stored_volume().dax_capable);
}

void expect_host_matches(SnapshotEnv& env, Scenario s, OperationState state) {
  bool const completed = state == OperationState::completed;
  if (!completed) {
    expect_snapshot_kept(env, s);
    if (is_copy(s)) {
      env.expect_dax_back();
    } else {
      expect_cow_stack(env);
    }
    return;
  }
  expect_snapshot_gone(env);
  switch (s) {
    case Scenario::destroy_copy:
    case Scenario::destroy_last_cow:
      env.expect_dax_back();
      EXPECT_EQ(env.read(kNode), "after the snapshot");
      break;
    case Scenario::destroy_cow:
      expect_cow_stack(env);
      EXPECT_EQ(env.read("/dev/mapper/daxd-vol@y"), "at snapshot time");
      break;
    case Scenario::restore_cow:
    case Scenario::restore_copy:
      env.expect_dax_back();
      EXPECT_EQ(env.read(kNode), "at snapshot time");  // invariant 4: the snapshot's content
      break;
  }
  if (s == Scenario::restore_copy) {
    EXPECT_EQ(env.stored_volume().extents.at(0).namespace_name, "b");
  }
}

class SnapshotCrashMatrix : public ::testing::TestWithParam<SnapCrash> {};

TEST_P(SnapshotCrashMatrix, RecoveryEndsCompletedOrRolledBackAndMatchesTheHost) {
  SnapCrash const c = GetParam();
  std::string label = c.point;
  for (char& ch : label) {
    if (ch == '.' || ch == '@') ch = '-';
  }
  SnapshotEnv env("crash-" + std::to_string(static_cast<int>(c.scenario)) + "-" + label);
  make_world(env, c.scenario);
  if (HasFatalFailure()) return;
  nlohmann::json const request = request_for(env, c.scenario);
  std::string const type = type_of(c.scenario);
  env.close();
  crash_child_at(c.point, [&] {
    env.open_snapshots();
    if (!c.fault.empty()) ignore_result(env.host->inject_fault(c.fault, EIO));
    submit_and_wait(*env.engine, type, request);
  });
  if (HasFatalFailure()) return;

  env.reopen_snapshots();
  Operation op;
  recover_crashed(*env.engine, env.state->journal(), type, op);
  if (HasFatalFailure()) return;
  expect_host_matches(env, c.scenario, op.state);
  expect_at_rest(*env.host);
  // The host is usable afterwards: the same operation can run again to its end.
  if (op.state == OperationState::rolled_back) {
    Operation const again = env.run(type, request_for(env, c.scenario));
    EXPECT_EQ(again.state, OperationState::completed) << again.error;
    expect_host_matches(env, c.scenario, again.state);
  }
}

void add_points(std::vector<SnapCrash>& cases, Scenario s, std::vector<char const*> steps) {
  for (auto const* where : {"before", "after"}) {
    for (auto const* step : steps) {
      cases.push_back({s, type_of(s) + "." + step + "." + where, ""});
    }
  }
}

std::vector<SnapCrash> all_crash_points() {
  std::vector<SnapCrash> cases;
  add_points(cases, Scenario::destroy_copy,
             {"unmount-snapshot", "remove-snapshot", "forget-snapshot"});
  add_points(cases, Scenario::destroy_cow,
             {"unmount-snapshot", "remove-snapshot", "remove-cow", "forget-snapshot"});
  add_points(
      cases, Scenario::destroy_last_cow,
      {"quiesce", "unmount", "unmount-snapshot", "remove-snapshot", "remove-cow", "remove-origin",
       "remove-real", "create-dax-dm", "mount", "record-volume", "forget-snapshot"});
  add_points(cases, Scenario::restore_cow,
             {"quiesce", "unmount", "unmount-snapshot", "remove-origin", "start-merge",
              "wait-merge", "remove-merge", "remove-cow", "remove-real", "create-dax-dm", "mount",
              "record-volume", "forget-snapshot"});
  add_points(cases, Scenario::restore_copy,
             {"quiesce", "unmount", "unmount-snapshot", "swap-table", "remove-snapshot", "mount",
              "record-volume", "forget-snapshot"});
  // Crashes in the middle of rollbacks: the origin's mount fails, an undo is interrupted.
  std::string const d = kDestroySnapshot;
  std::string const r = kRestoreSnapshot;
  cases.push_back({Scenario::destroy_last_cow, d + ".create-dax-dm.undo", "fs.mount"});
  cases.push_back({Scenario::destroy_last_cow, d + ".remove-real.undo", "fs.mount"});
  cases.push_back({Scenario::destroy_last_cow, d + ".remove-snapshot.undo", "fs.mount"});
  cases.push_back({Scenario::destroy_last_cow, d + ".unmount-snapshot.undo", "fs.mount"});
  cases.push_back({Scenario::restore_cow, r + ".remove-origin.undo", "dm.suspend"});
  cases.push_back({Scenario::restore_cow, r + ".unmount.undo", "dm.suspend"});
  cases.push_back({Scenario::restore_copy, r + ".swap-table.undo", "fs.mount"});
  cases.push_back({Scenario::restore_copy, r + ".remove-snapshot.undo", "fs.mount"});
  return cases;
}

std::string scenario_name(Scenario s) {
  switch (s) {
    case Scenario::destroy_copy:
      return "copy_";
    case Scenario::destroy_cow:
      return "cow_";
    case Scenario::destroy_last_cow:
      return "lastcow_";
    case Scenario::restore_cow:
      return "cow_";
    case Scenario::restore_copy:
      return "copy_";
  }
  return "";
}

INSTANTIATE_TEST_SUITE_P(Snapshots, SnapshotCrashMatrix, ::testing::ValuesIn(all_crash_points()),
                         [](auto const& param_info) {
                           std::string n =
                               scenario_name(param_info.param.scenario) + param_info.param.point;
                           for (char& ch : n) {
                             if (ch == '.' || ch == '-') ch = '_';
                           }
                           return n + (param_info.param.fault.empty() ? "" : "_fault");
                         });

}  // namespace
}  // namespace daxd::testing
