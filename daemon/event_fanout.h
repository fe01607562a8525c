// SPDX-License-Identifier: Apache-2.0
// The engine's event sink as wired in daxd: persist, stream to subscribers, refresh the cache.
#pragma once

#include <memory>
#include <mutex>

#include "api/event_hub.h"
#include "daemon/inventory/inventory.h"
#include "daemon/orchestrator/events.h"
#include "state/event_log.h"
#include "state/journal.h"

namespace daxd {

class EventFanout final : public orchestrator::EventSink {
 public:
  /// With `journal`, a completed snapshot operation is followed by its snapshot event
  /// (api::snapshot_event: snapshot-created, -deleted, -restored).
  EventFanout(state::EventLog& log, std::shared_ptr<api::EventHub> hub,
              inventory::Inventory& inventory, state::Journal* journal = nullptr)
      : log_(log), hub_(std::move(hub)), inventory_(inventory), journal_(journal) {}

  /// Stored first, so that a subscriber replaying from an id never misses what it saw live.
  void publish(orchestrator::Event const& event) override;

 private:
  void store_and_stream(orchestrator::Event const& event);  // with mutex_ held

  state::EventLog& log_;
  std::shared_ptr<api::EventHub> hub_;
  inventory::Inventory& inventory_;
  state::Journal* journal_;
  std::mutex mutex_;
};

}  // namespace daxd
