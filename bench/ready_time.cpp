// SPDX-License-Identifier: Apache-2.0
// Start-up timer: runs a daemon with NOTIFY_SOCKET pointing at itself, prints how long until the
// daemon sent READY=1 (sd_notify), then stays its parent until it exits and prints how it ended.
//
// Usage: ready_time [--log FILE] [--timeout S] -- CMD ARGS...
//   stdout: "pid=N", then "ready_ms=X" (or "ready_ms=-1" on timeout), then "exit=CODE" or
//   "signal=N"; each line flushed as it happens, so a script can read them from a file.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

/// A datagram socket with an abstract name ("@daxd-bench-ready-PID") for sd_notify.
int notify_socket(std::string& name) {
  int const fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  name = "@daxd-bench-ready-" + std::to_string(::getpid());
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name.c_str() + 1, name.size() - 1);
  auto const len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) return ::close(fd), -1;
  return fd;
}

/// Waits for a datagram holding READY=1; ms since `t0`, or -1 on timeout or child exit.
double wait_ready(int fd, pid_t child, Clock::time_point t0, double timeout_s, int& status) {
  char buf[4096];
  while (std::chrono::duration<double>(Clock::now() - t0).count() < timeout_s) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      ssize_t const n = ::recv(fd, buf, sizeof buf - 1, 0);
      if (n > 0) {
        buf[n] = '\0';
        if (std::strstr(buf, "READY=1") != nullptr) {
          return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        }
      }
    }
    if (::waitpid(child, &status, WNOHANG) == child) return -2;  // reaped: caller reports
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string log = "/dev/null";
  double timeout_s = 60;
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; i += 2) {
    if (i + 1 >= argc) return 2;
    if (std::strcmp(argv[i], "--log") == 0)
      log = argv[i + 1];
    else if (std::strcmp(argv[i], "--timeout") == 0)
      timeout_s = std::atof(argv[i + 1]);
    else
      return std::fprintf(stderr, "ready_time: unknown argument %s\n", argv[i]), 2;
  }
  if (i + 1 >= argc) return std::fprintf(stderr, "usage: ready_time [--log F] -- CMD...\n"), 2;
  std::string name;
  int const fd = notify_socket(name);
  if (fd < 0) return std::perror("ready_time: notify socket"), 1;
  ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  auto const t0 = Clock::now();
  pid_t child = 0;
  if (::posix_spawnp(&child, argv[i + 1], &fa, nullptr, argv + i + 1, environ) != 0) {
    return std::perror("ready_time: spawn"), 1;
  }
  std::printf("pid=%d\n", child);
  std::fflush(stdout);
  int status = 0;
  double const ready = wait_ready(fd, child, t0, timeout_s, status);
  std::printf("ready_ms=%.1f\n", ready < 0 ? -1.0 : ready);
  std::fflush(stdout);
  if (ready != -2) ::waitpid(child, &status, 0);
  if (WIFSIGNALED(status))
    std::printf("signal=%d\n", WTERMSIG(status));
  else
    std::printf("exit=%d\n", WEXITSTATUS(status));
  return 0;
}
