// SPDX-License-Identifier: Apache-2.0
// Live events for GET /v1/events: publish fans out to subscribers with bounded queues.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace daxd::api {

/// One event as the event log stored it (state::Event without the state dependency).
struct StoredEvent {
  std::int64_t id = 0;     // the server-sent event id; 0 when it could not be stored
  std::int64_t at_ms = 0;  // unix ms
  std::string type;        // "operation"
  std::string object;      // "operation/12"
  std::string data_json;   // the payload as JSON text
};

/// One subscriber's queue. Filled by EventHub::publish, drained by one reader (a session).
class Subscription {
 public:
  explicit Subscription(std::size_t capacity) : capacity_(capacity) {}

  /// Everything queued, oldest first; empty when nothing is waiting.
  std::vector<StoredEvent> take();
  /// Calls `ready` once (from the publishing thread, or now from this one) when an event is
  /// queued or the subscription ends; returns false without storing it when that is already so.
  bool notify_when_ready(std::function<void()> ready);
  /// The hub closed, or this subscriber fell `capacity` events behind (then `overflowed()`).
  bool ended() const;
  bool overflowed() const;

 private:
  friend class EventHub;
  std::function<void()> push(StoredEvent const& event);  // returns the waker to call unlocked
  std::function<void()> end(bool overflow);

  mutable std::mutex mutex_;
  std::size_t const capacity_;
  std::deque<StoredEvent> queue_;
  std::function<void()> ready_;
  bool ended_ = false;
  bool overflowed_ = false;
};

/// Thread-safe fan-out. publish never blocks on a subscriber: one that falls `capacity` events
/// behind is ended (its client is disconnected and may resume with Last-Event-ID).
class EventHub {
 public:
  static constexpr std::size_t kDefaultCapacity = 1000;

  explicit EventHub(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  /// Queues `event` for every live subscriber; does nothing once closed.
  void publish(StoredEvent const& event);
  /// A new subscriber that sees every event published from now on (an ended one when closed).
  std::shared_ptr<Subscription> subscribe();
  /// Ends every subscription (the server is stopping); later subscriptions start ended.
  void close();
  bool closed() const;
  /// Live subscribers (for tests and metrics).
  std::size_t subscribers() const;

 private:
  std::size_t const capacity_;
  mutable std::mutex mutex_;
  std::vector<std::weak_ptr<Subscription>> subscribers_;
  bool closed_ = false;
};

}  // namespace daxd::api
