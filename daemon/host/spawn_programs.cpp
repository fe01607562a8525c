// SPDX-License-Identifier: Apache-2.0
// Runs a program with posix_spawn (never a shell) in its own process group, reading its stderr
// until it exits or the timeout kills the group.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

#include "daemon/host/programs.h"

#include "daemon/host/host.h"

namespace daxd::host {
namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::size_t kExcerpt = 1000;
constexpr milliseconds kSlice{50};

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd const&) = delete;
  Fd& operator=(Fd const&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// posix_spawn's attribute and file-action objects, destroyed on every path.
struct SpawnSetup {
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attr{};
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
  }
  SpawnSetup(SpawnSetup const&) = delete;
  SpawnSetup& operator=(SpawnSetup const&) = delete;
};

void configure(SpawnSetup& s, int stderr_fd) {
  posix_spawn_file_actions_addopen(&s.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&s.actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&s.actions, stderr_fd, 2);
  // daxd's own descriptors (sockets, the database) are none of the hook's business.
  posix_spawn_file_actions_addclosefrom_np(&s.actions, 3);
  sigset_t none;
  sigemptyset(&none);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawnattr_setsigdefault(&s.attr, &all);
  posix_spawnattr_setpgroup(&s.attr, 0);  // its own group: the timeout kills its children too
  posix_spawnattr_setflags(&s.attr, static_cast<short>(POSIX_SPAWN_SETPGROUP |
                                                       POSIX_SPAWN_SETSIGMASK |
                                                       POSIX_SPAWN_SETSIGDEF));
}

std::vector<char*> c_strings(std::vector<std::string> const& v) {
  std::vector<char*> out;
  for (auto const& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Reads what is there now; false once every writer has closed the pipe.
bool drain(int fd, std::string& into) {
  char buf[4096];
  for (;;) {
    ssize_t const n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      into.append(buf, static_cast<std::size_t>(n));
      if (into.size() > 4 * kExcerpt) into.erase(0, into.size() - kExcerpt);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0;  // EAGAIN: still open; 0: end of file
  }
}

std::string excerpt(std::string s) {
  if (s.size() > kExcerpt) s.erase(0, s.size() - kExcerpt);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

void fill_status(ProgramRun& run, int status) {
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
}

// Until the child exits or the deadline passes; the pipe may outlive the child (a grandchild
// holding it), so the exit decides, not the end of file.
ProgramRun supervise(pid_t pid, int err_fd, Steady::time_point deadline) {
  ProgramRun run;
  std::string err;
  bool open = true;
  for (;;) {
    auto const left = std::chrono::duration_cast<milliseconds>(deadline - Steady::now());
    int const wait_ms = static_cast<int>(std::clamp(left, milliseconds{0}, kSlice).count());
    if (open) {
      pollfd p{err_fd, POLLIN, 0};
      if (::poll(&p, 1, wait_ms) > 0) open = drain(err_fd, err);
    } else {
      ::usleep(static_cast<useconds_t>(std::min(wait_ms, 10)) * 1000U);
    }
    int status = 0;
    pid_t const r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      fill_status(run, status);
      break;
    }
    if (Steady::now() >= deadline) {
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      fill_status(run, status);
      run.timed_out = true;
      break;
    }
  }
  if (open) drain(err_fd, err);
  run.stderr_excerpt = excerpt(std::move(err));
  return run;
}

}  // namespace

Result<ProgramRun> SpawnPrograms::run(std::vector<std::string> const& argv,
                                      std::vector<std::string> const& env,
                                      milliseconds timeout) {
  if (argv.empty() || argv[0].empty() || argv[0][0] != '/') {
    return Fail(Errc::invalid_argument, "a program must be given by its absolute path");
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return error_from_errno(errno, argv[0] + ": cannot spawn");
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  ::fcntl(read_end.get(), F_SETFL, O_NONBLOCK);
  std::vector<std::string> environment = env;
  bool const has_path = std::any_of(env.begin(), env.end(),
                                    [](std::string const& e) { return e.rfind("PATH=", 0) == 0; });
  if (!has_path) environment.emplace_back("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
  SpawnSetup setup;
  configure(setup, write_end.get());
  auto args = c_strings(argv);
  auto envp = c_strings(environment);
  pid_t pid = 0;
  auto const started = Steady::now();
  int const rc = ::posix_spawn(&pid, args[0], &setup.actions, &setup.attr, args.data(), envp.data());
  if (rc != 0) return error_from_errno(rc, argv[0] + ": cannot run");
  write_end.reset();
  return supervise(pid, read_end.get(), started + timeout);
}

Result<ProgramFile> SpawnPrograms::inspect(std::string const& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return error_from_errno(errno, path);
  return ProgramFile{S_ISREG(st.st_mode), static_cast<std::uint32_t>(st.st_mode & 07777),
                     static_cast<std::uint32_t>(st.st_uid)};
}

std::uint32_t SpawnPrograms::effective_uid() { return static_cast<std::uint32_t>(::geteuid()); }

}  // namespace daxd::host

namespace daxd::host {

Programs& Host::programs() {
  static SpawnPrograms programs;  // stateless: one for every host that does not override it
  return programs;
}

}  // namespace daxd::host
