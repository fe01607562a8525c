// SPDX-License-Identifier: Apache-2.0
// Request counters: a mutex-guarded map is plenty for a local admin API's request rate.
#include "api/metrics.h"

#include <array>

namespace daxd::api {

namespace {

std::string method_label(std::string_view method) {
  static constexpr std::array<std::string_view, 8> kKnown = {"GET",   "HEAD",   "POST",    "PUT",
                                                             "PATCH", "DELETE", "OPTIONS", "TRACE"};
  for (auto const known : kKnown) {
    if (known == method) return std::string(method);
  }
  return "OTHER";
}

}  // namespace

void Metrics::count_request(std::string_view method, unsigned status) {
  std::lock_guard const lock(mutex_);
  ++requests_[{method_label(method), status}];
}

std::uint64_t Metrics::requests(std::string_view method, unsigned status) const {
  std::lock_guard const lock(mutex_);
  auto const it = requests_.find({method_label(method), status});
  return it == requests_.end() ? 0 : it->second;
}

std::string Metrics::render_requests() const {
  std::string out =
      "# HELP daxd_http_requests_total HTTP requests answered, by method and status code.\n"
      "# TYPE daxd_http_requests_total counter\n";
  std::lock_guard const lock(mutex_);
  for (auto const& [key, value] : requests_) {
    out += "daxd_http_requests_total{method=\"" + key.first + "\",code=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(value) + "\n";
  }
  return out;
}

}  // namespace daxd::api
