// SPDX-License-Identifier: Apache-2.0
// The crash-matrix harness shared by the engine tests: a forked "daxd" killed at a named crash
// point, then recovery in the parent.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <functional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/orchestrator/orchestrator.h"
#include "state/journal.h"

namespace daxd::testing {

/// Runs `daxd` in a forked child with DAXD_CRASH_AT=`point`; the child must die by SIGKILL
/// there. Callers check HasFatalFailure() afterwards.
inline void crash_child_at(std::string const& point, std::function<void()> const& daxd) {
  pid_t const child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::setenv("DAXD_CRASH_AT", point.c_str(), 1);
    daxd();
    std::_Exit(3);  // reaching here means the crash point was never hit
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "crash point " << point << " was not reached (status " << status << ")";
}

/// The child's part: submit the operation and wait for it (the crash point ends it first).
inline void submit_and_wait(orchestrator::Orchestrator& engine, std::string const& type,
                            nlohmann::json const& request) {
  auto sub = engine.submit(type, request);
  if (sub) ignore_result(engine.wait(sub->operation.id, std::chrono::seconds(10)));
}

/// Recovery after a restart: nothing is left unfinished and the newest operation (the one that
/// crashed, of `type`) ended completed or rolled back; it is stored in `out`.
inline void recover_crashed(orchestrator::Orchestrator& engine, state::Journal& journal,
                            std::string const& type, Operation& out) {
  auto report = engine.recover();
  ASSERT_TRUE(report) << report.error().message;
  auto const unfinished = journal.unfinished();
  ASSERT_TRUE(unfinished);
  EXPECT_TRUE(unfinished->empty()) << "recovery leaves nothing half-made";
  auto const ops = engine.list(10, 0);
  ASSERT_TRUE(ops);
  ASSERT_FALSE(ops->empty());
  out = ops->front();
  ASSERT_EQ(out.type, type);
  ASSERT_TRUE(out.state == OperationState::completed || out.state == OperationState::rolled_back)
      << to_string(out.state) << ": " << out.error;
}

}  // namespace daxd::testing
