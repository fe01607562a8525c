// SPDX-License-Identifier: Apache-2.0
// Crash matrix for create-snapshot (first cow, further cow, copy): daxd dies (SIGKILL) before
// and after every step, and inside rollbacks; after a restart, recovery ends the operation
// completed or rolled back with dm devices, mounts, records and frozen state matching the
// journal, nothing frozen or suspended, and the origin's files unchanged.
#include <gtest/gtest.h>

#include "tests/unit/orchestrator/crash_harness.h"
#include "tests/unit/snapshots/snapshot_env.h"

namespace daxd::testing {
namespace {

using orchestrator::kCreateSnapshot;

enum class Kind { cow_first, cow_next, copy };

struct SnapshotCrash {
  Kind kind;
  std::string point;  // the DAXD_CRASH_AT value
  std::string fault;  // a sim fault injected in the child ("" for none), to reach undo points
};

std::ostream& operator<<(std::ostream& os, SnapshotCrash const& c) { return os << c.point; }

char const* kind_name(Kind k) {
  switch (k) {
    case Kind::cow_first:
      return "cowfirst";
    case Kind::cow_next:
      return "cownext";
    case Kind::copy:
      return "copy";
  }
  return "";
}

void set_up(SnapshotEnv& env, Kind kind) {
  env.make_mounted_volume();
  env.make_namespace("c", "region1", "32M");
  env.make_namespace("d", "region1", "32M");
  env.make_namespace("s", "region1");
  if (kind == Kind::cow_next) {
    ASSERT_TRUE(env.host->write_file(kNode, "/data", "older"));
    Operation const first = env.create("old", "cow", "d");
    ASSERT_EQ(first.state, OperationState::completed) << first.error;
  }
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "at the snapshot"));
}

nlohmann::json request_for(SnapshotEnv& env, Kind kind) {
  nlohmann::json const ro{{"mountpoint", kSnapMnt}};
  switch (kind) {
    case Kind::cow_first:
      return env.create_request("n", "cow", "c", ro);
    case Kind::cow_next:
      return env.create_request("n", "cow", "c");
    case Kind::copy:
      return env.create_request("n", "copy", "s", ro);
  }
  return {};
}

void expect_host_matches(SnapshotEnv& env, Kind kind, OperationState state) {
  bool const completed = state == OperationState::completed;
  auto const s = env.host->state();
  auto const* snap = env.dm(s, "daxd-vol@n");
  EXPECT_EQ(snap != nullptr, completed) << "journal and host disagree";
  EXPECT_EQ(env.dm(s, "daxd-vol@n+cow") != nullptr, completed && kind != Kind::copy);
  auto const records = env.snapshots();
  std::size_t const before = kind == Kind::cow_next ? 1u : 0u;
  EXPECT_EQ(records.size(), before + (completed ? 1u : 0u)) << "journal and records disagree";
  if (completed) {
    EXPECT_EQ(env.read(kSnapNode), "at the snapshot");
  }
  bool const cow_stack = kind == Kind::cow_next || (kind == Kind::cow_first && completed);
  auto const* origin = env.dm(s, "daxd-vol");
  ASSERT_NE(origin, nullptr) << "the origin always comes back";
  EXPECT_EQ(origin->table.at(0).type, cow_stack ? "snapshot-origin" : "linear");
  EXPECT_EQ(env.dm(s, "daxd-vol+real") != nullptr, cow_stack);
  auto const* m = env.mount_at(s, kMnt);
  ASSERT_NE(m, nullptr) << "the origin always ends mounted";
  EXPECT_EQ(m->dax, cow_stack ? DaxMode::never : DaxMode::always);
  auto const vol = orchestrator::desired_volume(env.state->desired(), "vol");
  ASSERT_TRUE(vol);
  EXPECT_EQ(vol->dax_capable, !cow_stack) << "the stored volume matches the stack";
  auto const* ro = env.mount_at(s, kSnapMnt);
  bool const wants_ro = completed && kind != Kind::cow_next;
  EXPECT_EQ(ro != nullptr, wants_ro) << "the read-only mount matches the journal";
  EXPECT_EQ(env.read(kNode), "at the snapshot");  // invariant 4
  if (kind == Kind::cow_next) {
    EXPECT_EQ(env.read("/dev/mapper/daxd-vol@old"), "older");
  }
}

class SnapshotCrashMatrix : public ::testing::TestWithParam<SnapshotCrash> {};

TEST_P(SnapshotCrashMatrix, RecoveryEndsCompletedOrRolledBackAndMatchesTheHost) {
  SnapshotCrash const c = GetParam();
  SnapshotEnv env(std::string("crash-") + kind_name(c.kind) + "-" + c.point);
  set_up(env, c.kind);
  if (HasFatalFailure()) return;
  nlohmann::json const request = request_for(env, c.kind);
  env.close();
  crash_child_at(c.point, [&] {
    env.open_everything();
    if (!c.fault.empty()) ignore_result(env.host->inject_fault(c.fault, EIO));
    submit_and_wait(*env.engine, kCreateSnapshot, request);
  });
  if (HasFatalFailure()) return;

  env.reopen_everything();
  ASSERT_TRUE(env.host->clear_faults());
  Operation op;
  recover_crashed(*env.engine, env.state->journal(), kCreateSnapshot, op);
  if (HasFatalFailure()) return;
  expect_host_matches(env, c.kind, op.state);
  expect_at_rest(*env.host);
  // The host is usable afterwards: the same operation runs again to its end.
  if (op.state == OperationState::rolled_back) {
    Operation const again = env.run(kCreateSnapshot, request_for(env, c.kind));
    EXPECT_EQ(again.state, OperationState::completed) << again.error;
    expect_host_matches(env, c.kind, again.state);
    expect_at_rest(*env.host);
  }
}

std::vector<SnapshotCrash> all_crash_points() {
  std::string const t = std::string(kCreateSnapshot) + ".";
  std::vector<SnapshotCrash> cases;
  for (auto const* where : {".before", ".after"}) {
    for (auto const* step : {"quiesce", "unmount", "remove-dax-dm", "create-real", "create-cow",
                             "create-snapshot-dm", "create-origin", "mount", "record-snapshot",
                             "mount-snapshot"}) {
      cases.push_back({Kind::cow_first, t + step + where, ""});
    }
    for (auto const* step : {"create-cow", "suspend-origin", "create-snapshot-dm",
                             "resume-origin", "record-snapshot"}) {
      cases.push_back({Kind::cow_next, t + step + where, ""});
    }
    for (auto const* step : {"quiesce", "create-snapshot-dm", "freeze", "copy", "thaw",
                             "record-snapshot", "mount-snapshot"}) {
      cases.push_back({Kind::copy, t + step + where, ""});
    }
  }
  // Crashes in the middle of a rollback: a step fails, an undo is interrupted.
  for (auto const* step : {"mount", "create-origin", "create-snapshot-dm", "create-cow",
                           "create-real", "remove-dax-dm", "unmount"}) {
    cases.push_back({Kind::cow_first, t + step + ".undo", "fs.mount"});
  }
  for (auto const* step : {"create-snapshot-dm", "suspend-origin", "create-cow"}) {
    cases.push_back({Kind::cow_next, t + step + ".undo", "dm.resume"});
  }
  for (auto const* step : {"freeze", "create-snapshot-dm"}) {
    cases.push_back({Kind::copy, t + step + ".undo", "blk.copy"});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Snapshots, SnapshotCrashMatrix, ::testing::ValuesIn(all_crash_points()),
                         [](auto const& param_info) {
                           std::string n = std::string(kind_name(param_info.param.kind)) + "_" +
                                           param_info.param.point;
                           for (char& ch : n) {
                             if (ch == '.' || ch == '-' || ch == '@') ch = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace daxd::testing
