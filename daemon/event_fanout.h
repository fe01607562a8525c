// SPDX-License-Identifier: Apache-2.0
// The engine's event sink as wired in daxd: persist, stream to subscribers, refresh the cache.
#pragma once

#include <memory>
#include <mutex>

#include "api/event_hub.h"
#include "daemon/inventory/inventory.h"
#include "daemon/orchestrator/events.h"
#include "state/event_log.h"

namespace daxd {

class EventFanout final : public orchestrator::EventSink {
 public:
  EventFanout(state::EventLog& log, std::shared_ptr<api::EventHub> hub,
              inventory::Inventory& inventory)
      : log_(log), hub_(std::move(hub)), inventory_(inventory) {}

  /// Stored first, so that a subscriber replaying from an id never misses what it saw live.
  void publish(orchestrator::Event const& event) override;

 private:
  state::EventLog& log_;
  std::shared_ptr<api::EventHub> hub_;
  inventory::Inventory& inventory_;
  std::mutex mutex_;
};

}  // namespace daxd
