// SPDX-License-Identifier: Apache-2.0
// Quiesce hooks through the real daxd on the sim host and daxadm: a real exec hook (a shell
// script this test writes) heard quiesce then resume around set-dax --policy wait; an event
// hook acknowledged with ack-hook; listing and removal.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/daemon_cli/daxd_process.h"

namespace daxd::testing {
namespace {

using nlohmann::json;

class HooksCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(daxd_.ready()) << "daxd did not start:\n" << daxd_.log();
    auto const created = daxadm({"create-volume", "vol", "--extent", "db:0:64M", "-t", "ext4", "-m",
                                 "/mnt/vol", "--dax", "always"});
    ASSERT_EQ(created.exit_code, 0) << created.err << daxd_.log();
  }

  RunResult daxadm(std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", daxd_.socket()});
    return run_daxadm(args);
  }
  std::vector<std::string> daxadm_args(std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", daxd_.socket()});
    return args;
  }

  /// A hook program owned by this test's user, mode 0755, recording what it was told.
  std::string write_hook(std::string const& log) {
    auto const path = (daxd_.dir() / "hook.sh").string();
    std::ofstream(path) << "#!/bin/sh\n"
                        << "echo \"$DAXD_PHASE $DAXD_VOLUME $DAXD_MOUNTPOINT $DAXD_OPERATION "
                           "$DAXD_DEADLINE_MS $DAXD_HOOK $1\" >> "
                        << log << "\nexit 0\n";
    EXPECT_EQ(::chmod(path.c_str(), 0755), 0);
    return path;
  }

  static std::vector<std::string> lines_of(std::string const& file) {
    std::ifstream in(file);
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
  }

  DaxdProcess daxd_;
};

TEST_F(HooksCli, ExecHookHearsQuiesceAndResumeAroundSetDax) {
  auto const log = (daxd_.dir() / "hook.log").string();
  auto const program = write_hook(log);
  auto const added =
      daxadm({"add-hook", "vol", "flush", "--exec", program, "now", "--timeout", "5"});
  ASSERT_EQ(added.exit_code, 0) << added.err << daxd_.log();
  json const hook = json::parse(added.out, nullptr, false);
  ASSERT_TRUE(hook.is_object()) << added.out;
  auto const id = hook.value("id", 0);
  EXPECT_GT(id, 0);
  EXPECT_EQ(hook.value("kind", ""), "exec");
  EXPECT_EQ(hook.value("argv", json()), json({program, "now"}));
  EXPECT_EQ(hook.value("timeout_ms", 0), 5000);
  EXPECT_EQ(added.err, "added hook " + std::to_string(id) + " 'flush' to volume vol\n");
  auto const again =
      daxadm({"add-hook", "vol", "flush", "--exec", program, "now", "--timeout", "5"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("already registered, unchanged"), std::string::npos) << again.err;

  auto const changed = daxadm({"set-dax", "vol", "never", "--policy", "wait", "--deadline", "2"});
  ASSERT_EQ(changed.exit_code, 0) << changed.err << daxd_.log();
  EXPECT_EQ(json::parse(changed.out, nullptr, false).value("dax", ""), "never") << changed.out;
  auto const calls = lines_of(log);
  ASSERT_EQ(calls.size(), 2u) << daxd_.log();
  EXPECT_EQ(calls[0].rfind("quiesce vol /mnt/vol ", 0), 0u) << calls[0];
  EXPECT_NE(calls[0].find(" 2000 flush now"), std::string::npos) << calls[0];
  EXPECT_EQ(calls[1].rfind("resume vol /mnt/vol ", 0), 0u) << calls[1];

  // refuse asks no hook.
  auto const refused_policy = daxadm({"set-dax", "vol", "always"});
  ASSERT_EQ(refused_policy.exit_code, 0) << refused_policy.err;
  EXPECT_EQ(lines_of(log).size(), 2u);

  auto const listed = daxadm({"hooks", "vol"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  json const all = json::parse(listed.out, nullptr, false);
  ASSERT_TRUE(all.is_array()) << listed.out;
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].value("name", ""), "flush");
  EXPECT_EQ(daxadm({"hooks", "other"}).out, "");

  auto const removed = daxadm({"remove-hook", std::to_string(id)});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(removed.err, "removed hook " + std::to_string(id) + "\n");
  auto const gone = daxadm({"remove-hook", std::to_string(id)});
  EXPECT_EQ(gone.exit_code, 0) << gone.err;
  EXPECT_NE(gone.err.find("already gone, unchanged"), std::string::npos) << gone.err;
  EXPECT_EQ(daxadm({"hooks"}).out, "");
}

TEST_F(HooksCli, RefusesAProgramWritableByOthers) {
  auto const program = write_hook((daxd_.dir() / "unused.log").string());
  ASSERT_EQ(::chmod(program.c_str(), 0777), 0);
  auto const refused = daxadm({"add-hook", "vol", "flush", "--exec", program});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.err.find("writable by others"), std::string::npos) << refused.err;
}

// The running set-dax's id, once `daxadm operations` shows it.
std::int64_t running_set_dax(std::function<RunResult()> const& list) {
  for (int i = 0; i < 500; ++i) {
    auto const r = list();
    json const ops = json::parse(r.out, nullptr, false);
    if (ops.is_array()) {
      for (auto const& op : ops) {
        if (op.value("type", "") == "set-dax" && op.value("state", "") == "running") {
          return op.value("id", std::int64_t{0});
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

TEST_F(HooksCli, EventHookIsAcknowledgedWithAckHook) {
  auto const added = daxadm({"add-hook", "vol", "sub", "--event", "--timeout", "20"});
  ASSERT_EQ(added.exit_code, 0) << added.err << daxd_.log();
  auto const id = json::parse(added.out, nullptr, false).value("id", 0);
  ASSERT_GT(id, 0) << added.out;
  DaxadmProcess set_dax(daxadm_args({"set-dax", "vol", "inode", "--policy", "wait"}));
  std::int64_t const op = running_set_dax([&] { return daxadm({"operations"}); });
  ASSERT_GT(op, 0) << "set-dax never showed as running:\n" << daxd_.log();
  auto const acked = daxadm({"ack-hook", std::to_string(id), "--operation", std::to_string(op)});
  EXPECT_EQ(acked.exit_code, 0) << acked.err << daxd_.log();
  auto const done = set_dax.finish(30);
  ASSERT_EQ(done.exit_code, 0) << done.err << daxd_.log();
  EXPECT_EQ(json::parse(done.out, nullptr, false).value("dax", ""), "inode") << done.out;
  auto const late = daxadm({"ack-hook", std::to_string(id), "--operation", std::to_string(op)});
  EXPECT_EQ(late.exit_code, 1) << "nothing waits any more";
}

}  // namespace
}  // namespace daxd::testing
