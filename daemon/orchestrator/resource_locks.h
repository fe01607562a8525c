// SPDX-License-Identifier: Apache-2.0
// Per-resource locks: one operation per resource at a time; a conflicting request fails at once.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/model/result.h"

namespace daxd::orchestrator {

class ResourceLocks {
 public:
  /// All of `resources` are held by `owner`, or none is.
  /// Errors: conflict naming the resource and the operation that holds it.
  Result<void> acquire(std::vector<std::string> const& resources, std::int64_t owner);
  /// Resources held by `from` are held by `to` (a provisional owner becomes the operation id).
  void transfer(std::int64_t from, std::int64_t to);
  /// Every resource held by `owner` is free again.
  void release(std::int64_t owner);
  /// The operation holding `resource`, or 0.
  std::int64_t holder(std::string const& resource) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::int64_t> held_;
};

}  // namespace daxd::orchestrator
