// SPDX-License-Identifier: Apache-2.0
// Request counters shared by every session, and histograms of the operations' stop and freeze
// times, rendered as Prometheus text on /metrics.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/model/operation.h"

namespace daxd::api {

/// `value` escaped for a Prometheus label value (backslash, double quote, newline).
std::string prometheus_label(std::string_view value);

/// daxd_operation_stopped_seconds and daxd_operation_frozen_seconds by operation type, fed from
/// the journal's finished operations; each operation is counted once, so the histograms only
/// grow while daxd runs. An operation counts when it recorded a stop (stopped_ms or frozen_ms
/// above 0); its frozen time when frozen_ms is above 0.
class OperationTimes {
 public:
  static constexpr std::array<double, 10> kBuckets = {0.01, 0.05, 0.1, 0.25, 0.5,
                                                      1,    2.5,  5,   10,   30};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};  // not cumulative; render sums them
    std::uint64_t count = 0;
    double sum = 0;
    void add(double seconds);
  };

  /// Counts the final operations of `ops` (any order) not counted yet; those not final yet are
  /// counted by a later call that sees them final.
  void observe(std::vector<Operation> const& ops);
  /// Every operation with an id up to this one was counted (or will never be): a caller asks
  /// the journal only for newer ones.
  std::int64_t floor() const;
  /// Both histograms (HELP, TYPE, then _bucket, _sum and _count per type); HELP and TYPE also
  /// when nothing was counted.
  std::string render() const;

 private:
  void count(Operation const& op);  // with mutex_ held

  mutable std::mutex mutex_;
  std::map<std::string, Histogram> stopped_;
  std::map<std::string, Histogram> frozen_;
  std::int64_t floor_ = 0;
  std::set<std::int64_t> counted_;  // counted ids above floor_
};

class Metrics {
 public:
  /// Counts one answered request. Unknown methods are counted as "OTHER" to bound the labels.
  void count_request(std::string_view method, unsigned status);

  /// How many requests with this method and status were counted.
  std::uint64_t requests(std::string_view method, unsigned status) const;

  /// The daxd_http_requests_total lines (HELP, TYPE and one sample per label pair).
  std::string render_requests() const;

  /// The operations' stop and freeze times (fed by the /metrics route from the journal).
  OperationTimes& operation_times() { return operation_times_; }

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
  OperationTimes operation_times_;
};

}  // namespace daxd::api
