// SPDX-License-Identifier: Apache-2.0
// Test helpers: a real daxd on the sim host in a temporary directory, and daxadm runs.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace daxd::testing {

/// A temporary directory (mode 0777, so that unprivileged peers reach the socket in it),
/// removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(TempDir const&) = delete;
  TempDir& operator=(TempDir const&) = delete;
  std::filesystem::path const& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// The sim fixture daxd is started with: a copy of daemon/host/sim/fixtures/two-regions.json
/// with one fsdax namespace "db" of 1 GiB added in region0.
std::string sim_fixture_text();

/// daxd started from DAXD_BIN with --host sim:FILE, waiting for READY=1 on its NOTIFY_SOCKET.
/// `env` entries ("DAXD_CRASH_AT=name") are added to daxd's environment.
class DaxdProcess {
 public:
  explicit DaxdProcess(std::vector<std::string> extra_args = {}, std::vector<std::string> env = {});
  ~DaxdProcess();  // SIGKILL if still running
  DaxdProcess(DaxdProcess const&) = delete;
  DaxdProcess& operator=(DaxdProcess const&) = delete;

  bool ready() const { return ready_; }
  std::string const& socket() const { return socket_; }
  std::filesystem::path const& dir() const { return dir_.path(); }
  std::string log() const;  // daxd's stderr so far

  /// SIGTERM, then waits (SIGKILL after 30 s). Returns the exit status, or -1 when killed.
  int stop();

  /// Waits up to 30 s for daxd to end by itself (a crash point). Returns the signal that killed
  /// it, 0 when it exited, -1 when it was still running (it is then killed).
  int wait_for_death();

  /// Starts daxd again with the same arguments, state dir and sim file (after stop() or a
  /// crash), with `env` instead of the first start's. Returns ready().
  bool restart(std::vector<std::string> env = {});

 private:
  void start(std::vector<std::string> const& env);

  TempDir dir_;
  std::string socket_;
  std::vector<std::string> argv_;
  std::string previous_log_;  // stderr of earlier runs
  pid_t pid_ = -1;
  bool ready_ = false;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs DAXADM_BIN with `args` (without the program name), capturing stdout and stderr.
RunResult run_daxadm(std::vector<std::string> const& args);

/// daxadm running in the background (for `daxadm events`).
class DaxadmProcess {
 public:
  explicit DaxadmProcess(std::vector<std::string> const& args);
  ~DaxadmProcess();  // SIGKILL if still running
  DaxadmProcess(DaxadmProcess const&) = delete;
  DaxadmProcess& operator=(DaxadmProcess const&) = delete;

  /// Waits up to `seconds` for it to exit; kills it after that (exit_code -1).
  RunResult finish(int seconds);

 private:
  TempDir dir_;
  pid_t pid_ = -1;
};

}  // namespace daxd::testing
