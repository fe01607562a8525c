// SPDX-License-Identifier: Apache-2.0
// Request counters shared by every session, rendered as Prometheus text on /metrics.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace daxd::api {

class Metrics {
 public:
  /// Counts one answered request. Unknown methods are counted as "OTHER" to bound the labels.
  void count_request(std::string_view method, unsigned status);

  /// How many requests with this method and status were counted.
  std::uint64_t requests(std::string_view method, unsigned status) const;

  /// The daxd_http_requests_total lines (HELP, TYPE and one sample per label pair).
  std::string render_requests() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
};

}  // namespace daxd::api
