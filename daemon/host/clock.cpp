// SPDX-License-Identifier: Apache-2.0
// The system clock.
#include "daemon/host/clock.h"

#include <thread>

namespace daxd::host {

std::int64_t SystemClock::now_unix_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::chrono::steady_clock::time_point SystemClock::now_steady() {
  return std::chrono::steady_clock::now();
}

void SystemClock::sleep_for(std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }

}  // namespace daxd::host
