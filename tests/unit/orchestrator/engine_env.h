// SPDX-License-Identifier: Apache-2.0
// A sim host, a state database and an orchestrator in a temporary directory, for engine tests.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/host/sim/sim_host.h"
#include "daemon/orchestrator/namespace_ops.h"
#include "daemon/orchestrator/orchestrator.h"
#include "state/state_store.h"

namespace daxd::testing {

class RecordingSink final : public orchestrator::EventSink {
 public:
  void publish(orchestrator::Event const& e) override {
    std::lock_guard const lock(mutex_);
    events.push_back(e);
  }
  std::vector<orchestrator::Event> snapshot() {
    std::lock_guard const lock(mutex_);
    return events;
  }

 private:
  std::mutex mutex_;
  std::vector<orchestrator::Event> events;
};

/// Two labelled 1 GiB regions, like the VM tier's guest.
inline host::sim::SimState two_small_regions() {
  host::sim::SimState s;
  for (int i = 0; i < 2; ++i) {
    host::sim::SimRegion r;
    r.dev = "region" + std::to_string(i);
    r.size = 1ull << 30;
    r.iset_id = 1000u + static_cast<unsigned>(i);
    s.regions.push_back(r);
  }
  return s;
}

/// Everything an engine test needs; reopen() is what a restart after a crash does.
struct EngineEnv {
  std::filesystem::path dir;
  std::unique_ptr<host::sim::SimHost> host;
  std::unique_ptr<state::StateStore> state;
  RecordingSink sink;
  std::unique_ptr<orchestrator::Orchestrator> engine;

  explicit EngineEnv(std::string const& name) {
    dir = std::filesystem::temp_directory_path() /
          ("daxd-engine-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto h = host::sim::SimHost::create((dir / "host.json").string(), two_small_regions());
    EXPECT_TRUE(h) << h.error().message;
    host = std::move(*h);
    open_engine();
  }
  ~EngineEnv() {
    engine.reset();
    std::filesystem::remove_all(dir);
  }

  void open_engine() {
    auto st = state::open_state((dir / "daxd.db").string());
    EXPECT_TRUE(st) << st.error().message;
    state = std::move(*st);
    engine =
        std::make_unique<orchestrator::Orchestrator>(*host, state->journal(), host->clock(), sink);
    orchestrator::register_namespace_operations(*engine);
  }

  /// Drops the engine and the database connection (before a fork: SQLite handles must not
  /// cross it).
  void close() {
    engine.reset();
    state.reset();
  }

  /// What a restart does: drop everything in memory, reload the "kernel" from its file.
  void reopen() {
    close();
    ASSERT_TRUE(host->reload());
    open_engine();
  }

  std::vector<Namespace> namespaces() {
    auto all = host->nvdimm().list_namespaces();
    EXPECT_TRUE(all);
    return all ? *all : std::vector<Namespace>{};
  }

  /// Submits and waits for the end; returns the final operation.
  Operation run(std::string const& type, nlohmann::json const& request) {
    auto sub = engine->submit(type, request);
    EXPECT_TRUE(sub) << (sub ? "" : sub.error().message);
    if (!sub) return {};
    auto done = engine->wait(sub->operation.id, std::chrono::seconds(10));
    EXPECT_TRUE(done);
    return done ? *done : Operation{};
  }
};

inline nlohmann::json create_request(std::string const& name, std::string const& size = "256M",
                                     std::string const& mode = "fsdax",
                                     std::string const& region = "region0") {
  auto r = orchestrator::normalise_create_namespace(
      {{"name", name}, {"region", region}, {"size", size}, {"mode", mode}});
  EXPECT_TRUE(r);
  return r ? *r : nlohmann::json{};
}

}  // namespace daxd::testing
