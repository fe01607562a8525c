// SPDX-License-Identifier: Apache-2.0
// Concurrent writers: threads sharing one store, and connections of their own on one file.
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "state/state_store.h"
#include "tests/unit/state/temp_dir.h"

namespace daxd::state {
namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 15;

// One journaled operation, an event and an audit entry; counts every failure.
void write_round(StateStore& store, int thread, int round, std::atomic<int>& failures,
                 std::string& last_error) {
  Operation op;
  op.type = "set-dax";
  op.target = "volume/t" + std::to_string(thread) + "-" + std::to_string(round);
  op.steps = {StepRecord{"reload", "", StepState::pending, true}};
  auto note = [&](Error const& e) {
    if (failures++ == 0) last_error = e.message;
  };
  auto id = store.journal().begin(op);
  if (!id) return note(id.error());
  for (auto r : {store.journal().set_state(*id, OperationState::running),
                 store.journal().step_intent(*id, 0, "{}"), store.journal().step_done(*id, 0),
                 store.journal().set_state(*id, OperationState::completed)}) {
    if (!r) note(r.error());
  }
  if (auto e = store.events().append("operation.completed", op.target, "{}"); !e) note(e.error());
  AuditEntry a;
  a.method = "POST";
  a.path = "/v1/" + op.target;
  a.status = 202;
  a.operation_id = *id;
  if (auto r = store.audit().record(a); !r) note(r.error());
}

void expect_all_written(StateStore& store) {
  auto ops = store.journal().list(1000, 0);
  ASSERT_TRUE(ops);
  EXPECT_EQ(ops->size(), std::size_t{kThreads * kRounds});
  for (auto const& op : *ops) EXPECT_EQ(op.state, OperationState::completed) << op.id;
  EXPECT_EQ(store.events().since(0, 1000)->size(), std::size_t{kThreads * kRounds});
  EXPECT_EQ(store.audit().list(1000)->size(), std::size_t{kThreads * kRounds});
  EXPECT_TRUE(store.journal().unfinished()->empty());
}

TEST(Concurrency, FourThreadsShareOneStoreWithoutBusyErrors) {
  testing::TempDir dir;
  auto store = open_state(dir.file("daxd.db"));
  ASSERT_TRUE(store) << store.error().message;
  std::atomic<int> failures{0};
  std::string last_error;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) write_round(**store, t, r, failures, last_error);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << last_error;
  expect_all_written(**store);
}

// Separate connections (as separate processes would have) wait on busy_timeout instead of
// failing with SQLITE_BUSY; opening and migrating at the same time is part of the test.
TEST(Concurrency, FourConnectionsOnOneFileWithoutBusyErrors) {
  testing::TempDir dir;
  std::string const path = dir.file("daxd.db");
  std::atomic<int> failures{0};
  std::string last_error;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto store = open_state(path);
      if (!store) {
        if (failures++ == 0) last_error = store.error().message;
        return;
      }
      for (int r = 0; r < kRounds; ++r) write_round(**store, t, r, failures, last_error);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << last_error;
  auto store = open_state(path);
  ASSERT_TRUE(store) << store.error().message;
  expect_all_written(**store);
}

}  // namespace
}  // namespace daxd::state
