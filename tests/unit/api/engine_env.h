// SPDX-License-Identifier: Apache-2.0
// The API over the real engine: a sim host, a state database, the orchestrator with the
// namespace operations, and the event wiring main does (persist, then publish to the hub).
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/event_hub.h"
#include "api/request_handler.h"
#include "api/server.h"
#include "daemon/host/sim/sim_control.h"
#include "daemon/host/sim/sim_host.h"
#include "daemon/inventory/inventory.h"
#include "daemon/orchestrator/namespace_ops.h"
#include "daemon/orchestrator/orchestrator.h"
#include "state/state_store.h"

namespace daxd::api::testing {

/// What daxd's main wires as the engine's event sink: store, invalidate, publish.
class StoreAndPublish final : public orchestrator::EventSink {
 public:
  StoreAndPublish(state::EventLog& log, EventHub& hub, inventory::Inventory& inventory)
      : log_(log), hub_(hub), inventory_(inventory) {}
  void publish(orchestrator::Event const& e) override {
    inventory_.invalidate();
    std::lock_guard const lock(mutex_);
    auto const data = e.data.dump();
    auto const id = log_.append(e.type, e.object, data);
    hub_.publish(StoredEvent{id ? *id : 0, 0, e.type, e.object, data});
  }

 private:
  std::mutex mutex_;
  state::EventLog& log_;
  EventHub& hub_;
  inventory::Inventory& inventory_;
};

inline Peer admin_peer() { return Peer{0, 0, 100, /*is_unix=*/true, /*local_admin=*/true}; }
inline Peer plain_peer() { return Peer{1000, 1000, 200, /*is_unix=*/true, /*local_admin=*/false}; }

struct ApiEngineEnv {
  std::filesystem::path dir;
  std::unique_ptr<host::sim::SimHost> host;
  std::unique_ptr<state::StateStore> state;
  std::unique_ptr<inventory::Inventory> inventory;
  std::shared_ptr<EventHub> hub = std::make_shared<EventHub>();
  std::unique_ptr<StoreAndPublish> sink;
  std::unique_ptr<orchestrator::Orchestrator> engine;
  std::vector<AuditRecord> audits;
  std::mutex audit_mutex;
  std::unique_ptr<Services> services;

  explicit ApiEngineEnv(std::string const& name) {
    dir = std::filesystem::temp_directory_path() /
          ("daxd-api-engine-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    host::sim::SimState world;
    world.regions = {host::sim::region(0, 1ULL << 30), host::sim::region(1, 1ULL << 30)};
    auto h = host::sim::SimHost::create((dir / "host.json").string(), world);
    EXPECT_TRUE(h) << h.error().message;
    host = std::move(*h);
    auto st = state::open_state((dir / "daxd.db").string());
    EXPECT_TRUE(st) << st.error().message;
    state = std::move(*st);
    inventory = std::make_unique<inventory::Inventory>(*host);
    sink = std::make_unique<StoreAndPublish>(state->events(), *hub, *inventory);
    engine =
        std::make_unique<orchestrator::Orchestrator>(*host, state->journal(), host->clock(), *sink);
    orchestrator::register_namespace_operations(*engine);
    services = std::make_unique<Services>(
        Services{*inventory, host->describe(), [this](AuditRecord const& r) {
                   std::lock_guard const lock(audit_mutex);
                   audits.push_back(r);
                 }});
    services->host = host.get();
    services->orchestrator = engine.get();
    services->events = hub;
    services->event_history = [this](std::int64_t since, int limit) {
      std::vector<StoredEvent> out;
      auto const events = state->events().since(since, limit);
      if (!events) return out;
      for (auto const& e : *events) {
        out.push_back(StoredEvent{e.id, e.at_ms, e.type, e.object, e.data_json});
      }
      return out;
    };
  }
  ~ApiEngineEnv() {
    engine.reset();  // joins the workers before what they use goes
    std::filesystem::remove_all(dir);
  }

  Response call(std::string method, std::string target, std::string body = "",
                Peer const& peer = admin_peer()) {
    Request req;
    req.method = std::move(method);
    req.target = std::move(target);
    req.body = std::move(body);
    return handle_request(req, peer, *services);
  }
};

inline nlohmann::json body_of(Response const& res) {
  auto j = nlohmann::json::parse(res.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << res.body;
  return j;
}

}  // namespace daxd::api::testing
