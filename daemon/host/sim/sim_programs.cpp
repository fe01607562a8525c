// SPDX-License-Identifier: Apache-2.0
// Fake programs for unit tests; the integration tier runs real ones through the same host.
#include "daemon/host/sim/sim_programs.h"

namespace daxd::host::sim {

void SimPrograms::add_fake(std::string const& path, FakeProgram program) {
  std::lock_guard const lock(mu_);
  fakes_[path] = std::move(program);
}

void SimPrograms::remove_fake(std::string const& path) {
  std::lock_guard const lock(mu_);
  fakes_.erase(path);
}

FakeProgram SimPrograms::find(std::string const& path) {
  std::lock_guard const lock(mu_);
  auto const it = fakes_.find(path);
  return it == fakes_.end() ? FakeProgram{} : it->second;
}

Result<ProgramRun> SimPrograms::run(std::vector<std::string> const& argv,
                                    std::vector<std::string> const& env,
                                    std::chrono::milliseconds timeout) {
  if (argv.empty()) return Fail(Errc::invalid_argument, "a program needs an argv[0]");
  if (auto const fake = find(argv[0])) return fake(argv, env);
  return real_.run(argv, env, timeout);
}

Result<ProgramFile> SimPrograms::inspect(std::string const& path) {
  if (find(path)) return ProgramFile{true, 0755, effective_uid()};
  return real_.inspect(path);
}

std::uint32_t SimPrograms::effective_uid() { return real_.effective_uid(); }

}  // namespace daxd::host::sim
