// SPDX-License-Identifier: Apache-2.0
// The real program runner: exit status, stderr excerpt, the exact environment, and a hanging
// program killed with its whole process group at the timeout.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "daemon/host/programs.h"

namespace daxd::host {
namespace {

using std::chrono::milliseconds;

class Spawn : public ::testing::Test {
 protected:
  std::filesystem::path dir_ =
      std::filesystem::temp_directory_path() / ("daxd-spawn-" + std::to_string(::getpid()));
  SpawnPrograms programs_;

  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string script(std::string const& name, std::string const& body) {
    auto const p = (dir_ / name).string();
    std::ofstream(p) << "#!/bin/sh\n" << body;
    EXPECT_EQ(::chmod(p.c_str(), 0755), 0);
    return p;
  }
};

// Gone, or a zombie waiting for its reaper: either way it no longer runs.
bool running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  auto const close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

TEST_F(Spawn, ReportsStatusAndTheEndOfStderr) {
  auto const ok = programs_.run({script("ok", "exit 0\n")}, {}, milliseconds(5000));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->exit_code, 0);
  EXPECT_FALSE(ok->timed_out);
  EXPECT_EQ(ok->stderr_excerpt, "");

  auto const bad = programs_.run(
      {script("bad", "echo ignored on stdout\necho \"cannot flush $1\" >&2\nexit 3\n"), "db"}, {},
      milliseconds(5000));
  ASSERT_TRUE(bad) << bad.error().message;
  EXPECT_EQ(bad->exit_code, 3);
  EXPECT_EQ(bad->signal, 0);
  EXPECT_EQ(bad->stderr_excerpt, "cannot flush db");

  // Only the last ~1000 bytes of a long stderr are kept.
  auto const chatty = programs_.run(
      {script("chatty", "i=0\nwhile [ $i -lt 500 ]; do echo \"line $i\" >&2; i=$((i+1)); done\n")},
      {}, milliseconds(5000));
  ASSERT_TRUE(chatty) << chatty.error().message;
  EXPECT_EQ(chatty->exit_code, 0);
  EXPECT_LE(chatty->stderr_excerpt.size(), 1000u);
  EXPECT_NE(chatty->stderr_excerpt.find("line 499"), std::string::npos);
  EXPECT_EQ(chatty->stderr_excerpt.find("line 0\n"), std::string::npos);

  auto const killed =
      programs_.run({script("selfkill", "kill -TERM $$\n")}, {}, milliseconds(5000));
  ASSERT_TRUE(killed) << killed.error().message;
  EXPECT_EQ(killed->exit_code, -1);
  EXPECT_EQ(killed->signal, SIGTERM);
}

TEST_F(Spawn, PassesExactlyTheEnvironmentGiven) {
  // /proc/$$/environ is what the shell was started with, untouched by the shell itself.
  auto const show = script("env", "tr '\\000' '\\n' < /proc/$$/environ >&2\n");
  auto const run = programs_.run({show}, {"DAXD_PHASE=quiesce", "B=two words"}, milliseconds(5000));
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 0);
  EXPECT_EQ(run->stderr_excerpt,
            "DAXD_PHASE=quiesce\nB=two words\nPATH=/usr/sbin:/usr/bin:/sbin:/bin");
  auto const own_path = programs_.run({show}, {"PATH=/bin"}, milliseconds(5000));
  ASSERT_TRUE(own_path) << own_path.error().message;
  EXPECT_EQ(own_path->stderr_excerpt, "PATH=/bin");
}

TEST_F(Spawn, KillsTheWholeProcessGroupAtTheTimeout) {
  auto const pidfile = (dir_ / "child.pid").string();
  // The background child keeps stderr open: the runner must not wait for end of file.
  auto const hang =
      script("hang", "sleep 60 &\necho $! > " + pidfile + "\necho waiting >&2\nexec sleep 60\n");
  auto const started = std::chrono::steady_clock::now();
  auto const run = programs_.run({hang}, {}, milliseconds(300));
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_TRUE(run->timed_out);
  EXPECT_EQ(run->exit_code, -1);
  EXPECT_EQ(run->signal, SIGKILL);
  EXPECT_EQ(run->stderr_excerpt, "waiting");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  pid_t child = 0;
  std::ifstream(pidfile) >> child;
  ASSERT_GT(child, 0);
  for (int i = 0; i < 200 && running(child); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_FALSE(running(child)) << "the hook's child " << child << " survived the timeout";
}

TEST_F(Spawn, RefusesWhatCannotRun) {
  auto const rel = programs_.run({"sh"}, {}, milliseconds(100));
  ASSERT_FALSE(rel);
  EXPECT_EQ(rel.error().code, Errc::invalid_argument);
  auto const missing = programs_.run({(dir_ / "missing").string()}, {}, milliseconds(100));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found) << missing.error().message;
  auto const file = programs_.inspect(script("x", "exit 0\n"));
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->regular);
  EXPECT_EQ(file->mode, 0755u);
  EXPECT_EQ(file->uid, programs_.effective_uid());
}

}  // namespace
}  // namespace daxd::host
