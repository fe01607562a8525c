// SPDX-License-Identifier: Apache-2.0
// File databases: persistence across reopen, and crash safety with a SIGKILLed writer.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "state/migrations.h"
#include "state/state_store.h"
#include "tests/unit/state/temp_dir.h"

namespace daxd::state {
namespace {

Operation two_step_op(std::string const& target) {
  Operation op;
  op.type = "create-namespace";
  op.target = target;
  op.steps = {StepRecord{"create", "region0: create namespace", StepState::pending, true},
              StepRecord{"label", "write the label", StepState::pending, false}};
  return op;
}

TEST(Persistence, EverythingSurvivesCloseAndReopen) {
  testing::TempDir dir;
  std::string const path = dir.file("daxd.db");
  std::int64_t id = 0;
  {
    auto store = open_state(path);
    ASSERT_TRUE(store) << store.error().message;
    id = (*store)->journal().begin(two_step_op("namespace/db")).value();
    ASSERT_TRUE((*store)->journal().step_intent(id, 0, R"({"dev":"namespace0.1"})"));
    ASSERT_TRUE((*store)->events().append("operation.started", "namespace/db", "{}"));
    ASSERT_TRUE((*store)->desired().put("db", R"({"size":1})"));
    AuditEntry e;
    e.method = "POST";
    e.path = "/v1/namespaces";
    e.status = 202;
    e.operation_id = id;
    ASSERT_TRUE((*store)->audit().record(e));
    // While a connection is open the database lives in WAL mode with its side files.
    EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
    EXPECT_TRUE(std::filesystem::exists(path + "-shm"));
  }
  auto store = open_state(path);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ(schema_version((*store)->database()).value(), latest_schema_version());
  auto op = (*store)->journal().get(id);
  ASSERT_TRUE(op);
  EXPECT_EQ(op->steps[0].state, StepState::intent);
  EXPECT_EQ((*store)->journal().step_data(id, 0).value(), R"({"dev":"namespace0.1"})");
  EXPECT_EQ((*store)->events().since(0, 10)->size(), 1u);
  EXPECT_EQ((*store)->desired().get("db")->spec_json, R"({"size":1})");
  auto audit = (*store)->audit().list(10);
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].operation_id, id);
}

// The child writes intent for step 0 and is killed before it can write done: after the crash
// the journal must say "intent" so that recovery knows the step may have run.
TEST(CrashSafety, IntentWrittenBeforeSigkillIsSeenAfterReopen) {
  testing::TempDir dir;
  std::string const path = dir.file("daxd.db");
  pid_t const child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = open_state(path);
    if (!store) _exit(2);
    auto id = (*store)->journal().begin(two_step_op("namespace/db"));
    if (!id) _exit(3);
    if (!(*store)->journal().set_state(*id, OperationState::running)) _exit(4);
    if (!(*store)->journal().step_intent(*id, 0, R"({"dev":"namespace0.1"})")) _exit(5);
    kill(getpid(), SIGKILL);  // the crash, before step_done
    _exit(6);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  auto store = open_state(path);
  ASSERT_TRUE(store) << store.error().message;
  auto open = (*store)->journal().unfinished();
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);
  Operation const& op = open->front();
  EXPECT_EQ(op.state, OperationState::running);
  EXPECT_EQ(op.steps[0].state, StepState::intent);
  EXPECT_EQ(op.steps[1].state, StepState::pending);
  EXPECT_EQ((*store)->journal().step_data(op.id, 0).value(), R"({"dev":"namespace0.1"})");
}

// A writer killed at an arbitrary moment leaves whole operations only: every operation has all
// of its planned steps, and everything the child reported as written is there.
TEST(CrashSafety, WriterKilledMidStreamLeavesWholeTransactions) {
  testing::TempDir dir;
  std::string const path = dir.file("daxd.db");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t const child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    auto store = open_state(path);
    if (!store) _exit(2);
    for (int i = 0;; ++i) {
      auto id = (*store)->journal().begin(two_step_op("namespace/n" + std::to_string(i)));
      if (!id || !(*store)->journal().step_intent(*id, 0)) _exit(3);
      std::int64_t const written = *id;
      if (write(fds[1], &written, sizeof written) != sizeof written) _exit(4);
    }
  }
  close(fds[1]);
  std::int64_t last = 0;
  for (int n = 0; n < 20; ++n) ASSERT_EQ(read(fds[0], &last, sizeof last), ssize_t{sizeof last});
  kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  close(fds[0]);

  auto store = open_state(path);
  ASSERT_TRUE(store) << store.error().message;
  auto ok = (*store)->database().prepare("PRAGMA integrity_check");
  ASSERT_TRUE(ok);
  ASSERT_TRUE(ok->step().value());
  EXPECT_EQ(ok->column_text(0), "ok");
  auto all = (*store)->journal().list(100000, 0);
  ASSERT_TRUE(all);
  ASSERT_GE(all->size(), 20u);
  for (Operation const& op : *all) EXPECT_EQ(op.steps.size(), 2u) << op.id;
  auto reported = (*store)->journal().get(last);
  ASSERT_TRUE(reported);
  EXPECT_EQ(reported->steps[0].state, StepState::intent);
}

}  // namespace
}  // namespace daxd::state
