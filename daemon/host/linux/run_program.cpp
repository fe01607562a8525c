// SPDX-License-Identifier: Apache-2.0
// Runs a helper program (mkfs) with posix_spawn, no shell, and captures its stderr.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "daemon/host/linux/linux_filesystems.h"
#include "daemon/host/linux/ndctl_handles.h"

extern char** environ;

namespace daxd::host::linux_impl {
namespace {

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t const n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return out;
  }
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Result<void> run_program(std::vector<std::string> const& argv) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return error_from_errno(errno, argv[0] + ": cannot spawn");
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);
  std::vector<char*> args;
  for (std::string const& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int const rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return error_from_errno(rc, argv[0] + ": cannot run");
  write_end.reset();
  std::string const err = trimmed(read_all(read_end.get()));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Ok();
  std::string msg = argv[0] + " " + argv.back() + ": failed";
  if (WIFEXITED(status)) msg += " with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) msg += " by signal " + std::to_string(WTERMSIG(status));
  if (!err.empty()) msg += ": " + err;
  return Fail(Errc::io_error, msg);
}

}  // namespace daxd::host::linux_impl
