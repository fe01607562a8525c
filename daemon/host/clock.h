// SPDX-License-Identifier: Apache-2.0
// Time, injected so that deadlines and timestamps are testable.
#pragma once

#include <chrono>
#include <cstdint>

namespace daxd::host {

class Clock {
 public:
  virtual ~Clock() = default;
  /// Milliseconds since the unix epoch, for records shown to users.
  virtual std::int64_t now_unix_ms() = 0;
  /// A monotonic time point for deadlines and durations.
  virtual std::chrono::steady_clock::time_point now_steady() = 0;
  virtual void sleep_for(std::chrono::milliseconds d) = 0;
};

/// The real clock (std::chrono).
class SystemClock final : public Clock {
 public:
  std::int64_t now_unix_ms() override;
  std::chrono::steady_clock::time_point now_steady() override;
  void sleep_for(std::chrono::milliseconds d) override;
};

}  // namespace daxd::host
