// SPDX-License-Identifier: Apache-2.0
// Device watch: uevents keep the inventory fresh and turn vanished devices into failed volumes.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "daemon/host/device_events.h"
#include "daemon/inventory/inventory.h"
#include "daemon/model/result.h"
#include "daemon/orchestrator/events.h"
#include "state/journal.h"

namespace daxd {

/// Handles the host's device events on its own thread, in batches. Every event marks the
/// inventory stale. After a removal, each volume that the fresh view shows failed, and that no
/// running operation is changing (a destroy removes its own device), gets one "volume-failed"
/// event {volume, reason, device}; it is reported again only after it was healthy in between.
/// Every removal is also published as "device-removed" {subsystem, devname, devnum}.
class DeviceWatch {
 public:
  DeviceWatch(host::DeviceEvents& source, inventory::Inventory& inventory,
              orchestrator::EventSink& events, state::Journal& journal);
  ~DeviceWatch();
  DeviceWatch(DeviceWatch const&) = delete;
  DeviceWatch& operator=(DeviceWatch const&) = delete;

  /// Volumes failed now count as reported (start-up reconcile reports them), then events flow.
  /// Errors: those of the source (unavailable, unsupported, already_exists).
  Result<void> start();
  /// Stops the source and the thread; queued events are dropped. Idempotent.
  void stop();
  /// Blocks until every event delivered so far is handled (tests).
  void wait_idle();

 private:
  void enqueue(host::DeviceEvent const& e);
  void run();
  void handle(std::vector<host::DeviceEvent> const& batch);
  void remember_devices(inventory::View const& view);
  std::string device_for(std::string const& volume,
                         std::vector<host::DeviceEvent> const& batch) const;
  std::set<std::string> busy_volumes();

  host::DeviceEvents& source_;
  inventory::Inventory& inventory_;
  orchestrator::EventSink& events_;
  state::Journal& journal_;

  std::mutex mu_;  // guards the queue and the counters
  std::condition_variable cv_;
  std::deque<host::DeviceEvent> queue_;
  std::uint64_t queued_ = 0;
  std::uint64_t handled_ = 0;
  bool stopping_ = false;
  std::thread thread_;

  // Used by the watch thread only (and start() before it runs).
  std::set<std::string> reported_;                           // volumes reported failed
  std::map<std::string, std::set<std::string>> devices_of_;  // volume -> its kernel devices
};

}  // namespace daxd
