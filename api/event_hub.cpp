// SPDX-License-Identifier: Apache-2.0
// The event fan-out. Wakers run outside every lock: they post to io executors and must not be
// able to re-enter the hub while it is locked.
#include "api/event_hub.h"

#include <utility>

namespace daxd::api {

std::vector<StoredEvent> Subscription::take() {
  std::lock_guard const lock(mutex_);
  std::vector<StoredEvent> out(std::make_move_iterator(queue_.begin()),
                               std::make_move_iterator(queue_.end()));
  queue_.clear();
  return out;
}

bool Subscription::notify_when_ready(std::function<void()> ready) {
  std::lock_guard const lock(mutex_);
  if (ended_ || !queue_.empty()) return false;
  ready_ = std::move(ready);
  return true;
}

bool Subscription::ended() const {
  std::lock_guard const lock(mutex_);
  return ended_;
}

bool Subscription::overflowed() const {
  std::lock_guard const lock(mutex_);
  return overflowed_;
}

std::function<void()> Subscription::push(StoredEvent const& event) {
  std::lock_guard const lock(mutex_);
  if (ended_) return nullptr;
  if (queue_.size() >= capacity_) {
    // Fell behind: keeping the queue would only grow it; the client resumes by its last id.
    queue_.clear();
    ended_ = true;
    overflowed_ = true;
    return std::exchange(ready_, nullptr);
  }
  queue_.push_back(event);
  return std::exchange(ready_, nullptr);
}

std::function<void()> Subscription::end(bool overflow) {
  std::lock_guard const lock(mutex_);
  if (ended_) return nullptr;
  ended_ = true;
  overflowed_ = overflow;
  return std::exchange(ready_, nullptr);
}

void EventHub::publish(StoredEvent const& event) {
  std::vector<std::function<void()>> wakers;
  {
    std::lock_guard const lock(mutex_);
    if (closed_) return;
    std::erase_if(subscribers_, [&](std::weak_ptr<Subscription> const& weak) {
      auto sub = weak.lock();
      if (!sub) return true;
      if (auto waker = sub->push(event)) wakers.push_back(std::move(waker));
      return sub->ended();
    });
  }
  for (auto& w : wakers) w();
}

std::shared_ptr<Subscription> EventHub::subscribe() {
  auto sub = std::make_shared<Subscription>(capacity_);
  std::lock_guard const lock(mutex_);
  if (closed_) {
    (void)sub->end(/*overflow=*/false);  // nobody waits yet: no waker
  } else {
    subscribers_.push_back(sub);
  }
  return sub;
}

void EventHub::close() {
  std::vector<std::function<void()>> wakers;
  {
    std::lock_guard const lock(mutex_);
    if (closed_) return;
    closed_ = true;
    for (auto const& weak : subscribers_) {
      if (auto sub = weak.lock()) {
        if (auto waker = sub->end(/*overflow=*/false)) wakers.push_back(std::move(waker));
      }
    }
    subscribers_.clear();
  }
  for (auto& w : wakers) w();
}

bool EventHub::closed() const {
  std::lock_guard const lock(mutex_);
  return closed_;
}

std::size_t EventHub::subscribers() const {
  std::lock_guard const lock(mutex_);
  std::size_t n = 0;
  for (auto const& weak : subscribers_) n += weak.expired() ? 0U : 1U;
  return n;
}

}  // namespace daxd::api
