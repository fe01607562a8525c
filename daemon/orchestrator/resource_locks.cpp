// SPDX-License-Identifier: Apache-2.0
// Resource locks are not queued: CSI and Ansible retry on 409, and waiting hides deadlocks.
#include "daemon/orchestrator/resource_locks.h"

namespace daxd::orchestrator {

Result<void> ResourceLocks::acquire(std::vector<std::string> const& resources, std::int64_t owner) {
  std::lock_guard const lock(mutex_);
  for (auto const& r : resources) {
    auto const it = held_.find(r);
    if (it != held_.end() && it->second != owner) {
      return Fail(Errc::conflict, r + ": operation " + std::to_string(it->second) +
                                      " is changing it; retry when it has finished");
    }
  }
  for (auto const& r : resources) held_[r] = owner;
  return Ok();
}

void ResourceLocks::release(std::int64_t owner) {
  std::lock_guard const lock(mutex_);
  std::erase_if(held_, [owner](auto const& kv) { return kv.second == owner; });
}

void ResourceLocks::transfer(std::int64_t from, std::int64_t to) {
  std::lock_guard const lock(mutex_);
  for (auto& [resource, owner] : held_) {
    if (owner == from) owner = to;
  }
}

std::int64_t ResourceLocks::holder(std::string const& resource) const {
  std::lock_guard const lock(mutex_);
  auto const it = held_.find(resource);
  return it == held_.end() ? 0 : it->second;
}

}  // namespace daxd::orchestrator
