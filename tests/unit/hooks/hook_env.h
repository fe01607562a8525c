// SPDX-License-Identifier: Apache-2.0
// The volume engine environment with quiesce hooks wired as daxd's main wires them, and a fake
// hook program that records every call (in a file, so that a forked crash child's calls count).
#pragma once

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/orchestrator/hooks.h"
#include "tests/unit/volumes/volume_env.h"

namespace daxd::testing {

inline constexpr char kHookProgram[] = "/opt/app/quiesce-hook";

/// The value of KEY in a "KEY=VALUE" environment, "" when absent.
inline std::string env_value(std::vector<std::string> const& env, std::string const& key) {
  for (auto const& e : env) {
    if (e.rfind(key + "=", 0) == 0) return e.substr(key.size() + 1);
  }
  return "";
}

struct HookEnv : VolumeEnv {
  std::unique_ptr<orchestrator::Hooks> hooks;
  orchestrator::HttpHookCaller http;

  explicit HookEnv(std::string const& name, orchestrator::HttpHookCaller caller = {})
      : VolumeEnv("hook-" + name), http(std::move(caller)) {
    wire_hooks();
  }
  ~HookEnv() { engine.reset(); }  // the workers run hooks: they stop before the hooks go

  /// Replaces the volume operation types by ones that call the hooks (as main registers them).
  void wire_hooks() {
    hooks = std::make_unique<orchestrator::Hooks>(state->desired(), *host, sink, http);
    orchestrator::register_volume_operations(*engine, state->desired(), state->journal(),
                                             hooks.get());
  }
  void close_all() {
    engine.reset();
    hooks.reset();
    state.reset();
  }
  void open_hooked() {
    open_engine();
    wire_hooks();
  }
  void reopen_hooked() {
    close_all();
    ASSERT_TRUE(host->reload());
    open_hooked();
  }

  std::string calls_file() const { return (dir / "hook-calls.txt").string(); }

  /// The fake program at kHookProgram: appends "PHASE OPERATION VOLUME MOUNTPOINT DEADLINE" to
  /// calls_file(); in phase quiesce it removes `leaving` (a sim pid, 0: none) and ends with
  /// `status` (and "boom" on stderr when non-zero).
  void fake_hook(int leaving = 0, int status = 0, bool time_out = false) {
    std::string const file = calls_file();
    host->fake_programs().add_fake(
        kHookProgram, [this, file, leaving, status, time_out](auto const&, auto const& env) {
          std::string const phase = env_value(env, "DAXD_PHASE");
          {
            std::ofstream out(file, std::ios::app);
            out << phase << ' ' << env_value(env, "DAXD_OPERATION") << ' '
                << env_value(env, "DAXD_VOLUME") << ' ' << env_value(env, "DAXD_MOUNTPOINT") << ' '
                << env_value(env, "DAXD_DEADLINE_MS") << '\n';
          }
          host::ProgramRun run;
          if (phase != "quiesce") {
            run.exit_code = 0;
            return run;
          }
          if (leaving != 0) ignore_result(host->remove_process(leaving));
          run.timed_out = time_out;
          run.exit_code = time_out ? -1 : status;
          run.signal = time_out ? 9 : 0;
          if (status != 0 || time_out) run.stderr_excerpt = "boom";
          return run;
        });
  }

  /// The phases the fake hook saw, in order.
  std::vector<std::string> phases() const {
    std::ifstream in(calls_file());
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) out.push_back(line.substr(0, line.find(' ')));
    return out;
  }
  std::vector<std::string> call_lines() const {
    std::ifstream in(calls_file());
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
  }

  /// Registers an exec hook running kHookProgram on "vol"; returns its id.
  std::int64_t add_exec_hook(std::string const& name = "app", std::int64_t timeout_ms = 1000) {
    auto added = hooks->add({{"volume", "vol"},
                             {"name", name},
                             {"kind", "exec"},
                             {"argv", {kHookProgram, "--quiet"}},
                             {"timeout_ms", timeout_ms}});
    EXPECT_TRUE(added) << (added ? "" : added.error().message);
    return added ? added->hook.id : 0;
  }
};

}  // namespace daxd::testing
