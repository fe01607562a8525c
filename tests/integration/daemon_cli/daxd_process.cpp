// SPDX-License-Identifier: Apache-2.0
// Process handling for the daemon/CLI integration tests: fork/exec, sd_notify, captured output.
#include "tests/integration/daemon_cli/daxd_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

namespace daxd::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string read_file(fs::path const& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A datagram socket standing in for systemd's notify socket.
int bind_notify_socket(fs::path const& path) {
  int const fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
  return fd;
}

// Waits up to 30 s for "READY=1"; false if daxd exits or never says so.
bool wait_ready(int notify_fd, pid_t pid) {
  auto const deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    pollfd p{notify_fd, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      std::array<char, 512> buf{};
      auto const n = ::recv(notify_fd, buf.data(), buf.size() - 1, 0);
      if (n > 0 && std::string(buf.data(), static_cast<std::size_t>(n)).find("READY=1") !=
                       std::string::npos) {
        return true;
      }
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
  }
  return false;
}

[[noreturn]] void exec_with_output(std::vector<std::string> const& argv, fs::path const& out,
                                   fs::path const& err, std::vector<std::string> const& env = {}) {
  for (auto const& e : env) {
    auto const eq = e.find('=');
    if (eq != std::string::npos) ::setenv(e.substr(0, eq).c_str(), e.substr(eq + 1).c_str(), 1);
  }
  int const o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int const e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (o < 0 || e < 0 || ::dup2(o, 1) < 0 || ::dup2(e, 2) < 0) ::_exit(127);
  std::vector<char*> args;
  for (auto const& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  ::_exit(127);
}

}  // namespace

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "daxd-it-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  path_ = tmpl;
  ::chmod(path_.c_str(), 0777);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string sim_fixture_text() {
  auto j = nlohmann::json::parse(read_file(DAXD_SIM_FIXTURE), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {  // the sim's fixture is missing: same content
    j = nlohmann::json::parse(R"({"regions":[
      {"dev":"region0","size":17179869184,"align":16777216,"labels":true,"numa_node":0,
       "persistence_domain":"memory_controller","iset_id":439041101},
      {"dev":"region1","size":17179869184,"align":16777216,"labels":true,"numa_node":0,
       "persistence_domain":"memory_controller","iset_id":439041102}]})");
  }
  j["namespaces"] = nlohmann::json::array({{{"dev", "namespace0.0"},
                                            {"region", "region0"},
                                            {"mode", "fsdax"},
                                            {"raw_size", 1073741824},
                                            {"uuid", "5a2b0f4e-8c1d-4e6f-9a3b-7d2c1e0f4a5b"},
                                            {"name", "db"}}});
  return j.dump(2);
}

DaxdProcess::DaxdProcess(std::vector<std::string> extra_args, std::vector<std::string> env) {
  fs::path const fixture = dir() / "sim.json";
  std::ofstream(fixture) << sim_fixture_text();
  socket_ = (dir() / "daxd.sock").string();
  argv_ = {DAXD_BIN,
           "--host",
           "sim:" + fixture.string(),
           "--state-dir",
           (dir() / "state").string(),
           "--socket",
           socket_,
           "--socket-group",
           "",
           "--admin-group",
           ""};
  argv_.insert(argv_.end(), extra_args.begin(), extra_args.end());
  start(env);
}

void DaxdProcess::start(std::vector<std::string> const& env) {
  fs::path const notify = dir() / "notify.sock";
  std::error_code ec;
  fs::remove(notify, ec);
  int const notify_fd = bind_notify_socket(notify);
  if (notify_fd < 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setenv("NOTIFY_SOCKET", notify.c_str(), 1);
    exec_with_output(argv_, dir() / "daxd.out", dir() / "daxd.err", env);
  }
  ready_ = pid_ > 0 && wait_ready(notify_fd, pid_);
  ::close(notify_fd);
}

bool DaxdProcess::restart(std::vector<std::string> env) {
  if (pid_ > 0) stop();
  previous_log_ = log();
  ready_ = false;
  start(env);
  return ready_;
}

int DaxdProcess::wait_for_death() {
  if (pid_ <= 0) return -1;
  auto const deadline = Clock::now() + std::chrono::seconds(30);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

DaxdProcess::~DaxdProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

std::string DaxdProcess::log() const { return previous_log_ + read_file(dir() / "daxd.err"); }

int DaxdProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  auto const deadline = Clock::now() + std::chrono::seconds(30);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

RunResult run_daxadm(std::vector<std::string> const& args) {
  TempDir tmp;
  std::vector<std::string> argv = {DAXADM_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t const pid = ::fork();
  if (pid == 0) exec_with_output(argv, tmp.path() / "out", tmp.path() / "err");
  RunResult r;
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(tmp.path() / "out");
  r.err = read_file(tmp.path() / "err");
  return r;
}

DaxadmProcess::DaxadmProcess(std::vector<std::string> const& args) {
  std::vector<std::string> argv = {DAXADM_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = ::fork();
  if (pid_ == 0) exec_with_output(argv, dir_.path() / "out", dir_.path() / "err");
}

DaxadmProcess::~DaxadmProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

RunResult DaxadmProcess::finish(int seconds) {
  RunResult r;
  if (pid_ <= 0) return r;
  auto const deadline = Clock::now() + std::chrono::seconds(seconds);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  r.exit_code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(dir_.path() / "out");
  r.err = read_file(dir_.path() / "err");
  return r;
}

}  // namespace daxd::testing
