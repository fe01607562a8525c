// SPDX-License-Identifier: Apache-2.0
// Running helper programs (quiesce hooks): no shell, a timeout, and what they said on stderr.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/model/result.h"

namespace daxd::host {

/// How a program ended.
struct ProgramRun {
  int exit_code = -1;          // -1 when it did not exit by itself (signal, timeout)
  int signal = 0;              // the signal that ended it, 0 if none
  bool timed_out = false;      // killed (its whole process group) at the timeout
  std::string stderr_excerpt;  // the last ~1000 bytes of its stderr, trailing blanks trimmed
};

/// What daxd needs to judge a program file before it runs it.
struct ProgramFile {
  bool regular = false;
  std::uint32_t mode = 0;  // permission bits (st_mode & 07777)
  std::uint32_t uid = 0;   // owner
};

class Programs {
 public:
  virtual ~Programs() = default;

  /// Runs argv[0] (an absolute path; no shell, no PATH search) with argv, stdin from /dev/null,
  /// stdout discarded, stderr captured, in its own process group, with exactly `env`
  /// ("KEY=VALUE") as its environment plus PATH=/usr/sbin:/usr/bin:/sbin:/bin when `env` has no
  /// PATH. At `timeout` the process group gets SIGKILL. A program that ran is a success whatever
  /// its status. Errors: not_found, permission_denied (cannot execute), io_error.
  virtual Result<ProgramRun> run(std::vector<std::string> const& argv,
                                 std::vector<std::string> const& env,
                                 std::chrono::milliseconds timeout) = 0;

  /// The file at `path` (symlinks followed). Errors: not_found, permission_denied, io_error.
  virtual Result<ProgramFile> inspect(std::string const& path) = 0;

  /// The effective uid daxd runs as (a hook program may be owned by it or by root).
  virtual std::uint32_t effective_uid() = 0;
};

/// The real thing: posix_spawn, poll on a stderr pipe, kill(-pgid) at the timeout.
class SpawnPrograms final : public Programs {
 public:
  Result<ProgramRun> run(std::vector<std::string> const& argv, std::vector<std::string> const& env,
                         std::chrono::milliseconds timeout) override;
  Result<ProgramFile> inspect(std::string const& path) override;
  std::uint32_t effective_uid() override;
};

}  // namespace daxd::host
