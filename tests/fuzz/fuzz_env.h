// SPDX-License-Identifier: Apache-2.0
// One daxd built once per fuzzing process: a sim host and state on tmpfs, the engine with every
// operation type, and the API services over them, as daemon/main.cpp wires them.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "api/server.h"
#include "daemon/host/sim/sim_control.h"
#include "daemon/host/sim/sim_host.h"
#include "daemon/inventory/inventory.h"
#include "daemon/orchestrator/namespace_ops.h"
#include "daemon/orchestrator/orchestrator.h"
#include "daemon/orchestrator/volume_ops.h"
#include "daemon/orchestrator/volume_spec.h"
#include "state/state_store.h"

namespace daxd::fuzz {

/// Events are dropped: the harnesses look for crashes and sanitizer reports, not for output.
class NullSink final : public orchestrator::EventSink {
 public:
  void publish(orchestrator::Event const&) override {}
};

struct FuzzEnv {
  std::filesystem::path dir;
  std::unique_ptr<host::sim::SimHost> host;
  std::unique_ptr<state::StateStore> state;
  std::unique_ptr<inventory::Inventory> inventory;
  NullSink sink;
  std::unique_ptr<orchestrator::Orchestrator> engine;
  std::unique_ptr<api::Services> services;

  FuzzEnv() {
    // tmpfs: the engine fsyncs every journal write; on disk that would be most of the time.
    std::filesystem::path const base =
        std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    dir = base / ("daxd-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    host::sim::SimState world;
    world.regions = {host::sim::region(0, 1ULL << 30), host::sim::region(1, 1ULL << 30)};
    host = must(host::sim::SimHost::create((dir / "host.json").string(), world));
    state = must(state::open_state((dir / "daxd.db").string()));
    inventory = std::make_unique<inventory::Inventory>(*host);
    engine =
        std::make_unique<orchestrator::Orchestrator>(*host, state->journal(), host->clock(), sink);
    orchestrator::register_namespace_operations(*engine);
    orchestrator::register_volume_operations(*engine, state->desired(), state->journal());
    services = std::make_unique<api::Services>(api::Services{*inventory, host->describe(), {}});
    services->host = host.get();
    services->orchestrator = engine.get();
    services->desired = &state->desired();
  }
  ~FuzzEnv() {
    engine.reset();
    std::filesystem::remove_all(dir);
  }

  template <typename T>
  static T must(Result<T> r) {
    if (!r) {
      std::fprintf(stderr, "fuzz env: %s\n", r.error().message.c_str());
      std::abort();
    }
    return std::move(*r);
  }
};

/// The process-wide environment, built on first use (libFuzzer calls one input at a time).
inline FuzzEnv& env() {
  static FuzzEnv e;
  return e;
}

}  // namespace daxd::fuzz
