// SPDX-License-Identifier: Apache-2.0
// Crash matrix on the sim host: daxd dies (SIGKILL) at every crash point of every namespace
// operation; after a restart, recovery must end each operation completed or rolled back, with
// the "kernel" state matching what the journal says.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include <gtest/gtest.h>

#include "tests/unit/orchestrator/crash_harness.h"
#include "tests/unit/orchestrator/engine_env.h"

namespace daxd::testing {
namespace {

using orchestrator::kCreateNamespace;
using orchestrator::kDestroyNamespace;
using orchestrator::kReconfigureNamespace;

struct CrashCase {
  std::string type;
  std::string point;        // the DAXD_CRASH_AT value
  bool existing_namespace;  // create "db" before the crashing operation
  std::string fault;        // a sim fault injected in the child, "" for none
};

std::ostream& operator<<(std::ostream& os, CrashCase const& c) { return os << c.point; }

nlohmann::json request_for(EngineEnv& env, CrashCase const& c) {
  if (c.type == kCreateNamespace) return create_request("db");
  nlohmann::json body{{"force", true}};
  if (c.type == kReconfigureNamespace) body["mode"] = "devdax";
  auto r = orchestrator::normalise_namespace_change(*env.host, c.type, "db", body);
  EXPECT_TRUE(r);
  return r ? *r : nlohmann::json{};
}

class CrashMatrix : public ::testing::TestWithParam<CrashCase> {};

TEST_P(CrashMatrix, RecoveryEndsCompletedOrRolledBackAndMatchesTheHost) {
  CrashCase const c = GetParam();
  EngineEnv env("crash-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                c.point);
  if (c.existing_namespace) {
    ASSERT_EQ(env.run(kCreateNamespace, create_request("db")).state, OperationState::completed);
  }
  nlohmann::json const request = request_for(env, c);
  env.close();
  crash_child_at(c.point, [&] {
    env.open_engine();
    if (!c.fault.empty()) ignore_result(env.host->inject_fault(c.fault, EIO));
    submit_and_wait(*env.engine, c.type, request);
  });
  if (HasFatalFailure()) return;

  env.reopen();
  Operation op;
  recover_crashed(*env.engine, env.state->journal(), c.type, op);
  if (HasFatalFailure()) return;

  auto const all = env.namespaces();
  bool const present = !all.empty();
  if (c.type == kCreateNamespace) {
    EXPECT_EQ(present, op.state == OperationState::completed) << "journal and host disagree";
  } else if (c.type == kDestroyNamespace) {
    EXPECT_EQ(present, op.state == OperationState::rolled_back) << "journal and host disagree";
  } else {
    ASSERT_TRUE(present);
    NamespaceMode const expected =
        op.state == OperationState::completed ? NamespaceMode::devdax : NamespaceMode::fsdax;
    EXPECT_EQ(all[0].mode, expected) << "journal and host disagree";
    EXPECT_EQ(all[0].name, "db");
  }
  // The host is usable afterwards: the same operation can run again to its end.
  if (op.state == OperationState::rolled_back) {
    env.reopen();
    EXPECT_EQ(env.run(c.type, request_for(env, c)).state, OperationState::completed);
  }
}

std::vector<CrashCase> all_crash_points() {
  std::vector<CrashCase> cases;
  for (auto const* where : {"before", "after"}) {
    cases.push_back({kCreateNamespace, std::string(kCreateNamespace) + ".create-namespace." + where,
                     false, ""});
    cases.push_back({kDestroyNamespace,
                     std::string(kDestroyNamespace) + ".destroy-namespace." + where, true, ""});
    cases.push_back({kReconfigureNamespace,
                     std::string(kReconfigureNamespace) + ".reconfigure-namespace." + where, true,
                     ""});
  }
  // A crash in the middle of a rollback: the create fails, its undo is interrupted.
  cases.push_back({kCreateNamespace, std::string(kCreateNamespace) + ".create-namespace.undo",
                   false, "nvdimm.create_namespace"});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Namespaces, CrashMatrix, ::testing::ValuesIn(all_crash_points()),
                         [](auto const& param_info) {
                           std::string n = param_info.param.point;
                           for (char& ch : n) {
                             if (ch == '.' || ch == '-') ch = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace daxd::testing
