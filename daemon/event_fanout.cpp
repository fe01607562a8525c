// SPDX-License-Identifier: Apache-2.0
// Event fan-out. The inventory is only marked stale: the next reader refreshes it once.
// Snapshot events follow the operation event that completes them, in the same order for all.
#include "daemon/event_fanout.h"

#include <chrono>
#include <cstdint>
#include <cstdio>

#include "api/snapshot_events.h"

namespace daxd {

void EventFanout::publish(orchestrator::Event const& event) {
  inventory_.invalidate();
  // One at a time: live subscribers must see ids in order, or a replay from the last id seen
  // could skip one.
  std::lock_guard const lock(mutex_);
  store_and_stream(event);
  if (journal_ == nullptr || !api::announces_snapshot_change(event)) return;
  // The operation event carries no request; the journal has the names the event reports.
  auto const op = journal_->get(event.data.at("id").get<std::int64_t>());
  if (!op) {
    std::fprintf(stderr, "daxd: no snapshot event for %s: %s\n", event.object.c_str(),
                 op.error().message.c_str());
    return;
  }
  if (auto const derived = api::snapshot_event(*op)) store_and_stream(*derived);
}

void EventFanout::store_and_stream(orchestrator::Event const& event) {
  std::string const data =
      event.data.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
  auto const id = log_.append(event.type, event.object, data);
  if (!id) {
    // Live subscribers still get it; only a later replay will miss it.
    std::fprintf(stderr, "daxd: cannot store event %s: %s\n", event.object.c_str(),
                 id.error().message.c_str());
  }
  auto const now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  hub_->publish(api::StoredEvent{id ? *id : 0, now.count(), event.type, event.object, data});
}

}  // namespace daxd
