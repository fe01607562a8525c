// SPDX-License-Identifier: Apache-2.0
// The sim host's programs: fake programs registered by tests, real ones spawned as on linux.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/host/programs.h"

namespace daxd::host::sim {

/// A fake program: gets argv and env as the real one would, returns how it "ended". It may
/// act on the sim host (remove a process) to play an application letting go.
using FakeProgram = std::function<ProgramRun(std::vector<std::string> const& argv,
                                             std::vector<std::string> const& env)>;

/// Programs whose path is registered run as fakes (a regular file, mode 0755, owned by daxd's
/// euid); every other path is spawned for real (SpawnPrograms). Thread-safe; a fake runs
/// without any lock held.
class SimPrograms final : public Programs {
 public:
  /// Replaces any fake already at `path`.
  void add_fake(std::string const& path, FakeProgram program);
  void remove_fake(std::string const& path);

  Result<ProgramRun> run(std::vector<std::string> const& argv, std::vector<std::string> const& env,
                         std::chrono::milliseconds timeout) override;
  Result<ProgramFile> inspect(std::string const& path) override;
  std::uint32_t effective_uid() override;

 private:
  FakeProgram find(std::string const& path);

  std::mutex mu_;
  std::map<std::string, FakeProgram> fakes_;
  SpawnPrograms real_;
};

}  // namespace daxd::host::sim
