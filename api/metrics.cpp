// SPDX-License-Identifier: Apache-2.0
// Request counters: a mutex-guarded map is plenty for a local admin API's request rate.
// Operation times: the journal is the truth, these histograms only remember what they counted.
#include "api/metrics.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace daxd::api {

namespace {

std::string format_number(char const* format, double value) {
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), format, value);
  return buf.data();
}

void render_histograms(std::string& out, std::string const& name,
                       std::map<std::string, OperationTimes::Histogram> const& by_type) {
  for (auto const& [type, h] : by_type) {
    std::string const label = "type=\"" + prometheus_label(type) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < OperationTimes::kBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      out += name + "_bucket{" + label + ",le=\"" +
             format_number("%g", OperationTimes::kBuckets[i]) + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    out += name + "_bucket{" + label + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
    out += name + "_sum{" + label + "} " + format_number("%.3f", h.sum) + "\n";
    out += name + "_count{" + label + "} " + std::to_string(h.count) + "\n";
  }
}

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

namespace daxd::api {

std::string prometheus_label(std::string_view value) {
  std::string out;
  for (char const c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void OperationTimes::Histogram::add(double seconds) {
  auto const bucket = std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds);
  if (bucket != kBuckets.end()) ++buckets[static_cast<std::size_t>(bucket - kBuckets.begin())];
  ++count;
  sum += seconds;
}

void OperationTimes::count(Operation const& op) {
  if (op.stopped_ms <= 0 && op.frozen_ms <= 0) return;
  // A freeze happens inside a stop: a frozen time alone still says the world stopped.
  std::int64_t const stopped = std::max(op.stopped_ms, op.frozen_ms);
  stopped_[op.type].add(static_cast<double>(stopped) / 1000.0);
  if (op.frozen_ms > 0) frozen_[op.type].add(static_cast<double>(op.frozen_ms) / 1000.0);
}

void OperationTimes::observe(std::vector<Operation> const& ops) {
  std::vector<Operation const*> newer;
  std::lock_guard const lock(mutex_);
  for (auto const& op : ops) {
    if (op.id > floor_) newer.push_back(&op);
  }
  std::sort(newer.begin(), newer.end(),
            [](Operation const* a, Operation const* b) { return a->id < b->id; });
  bool contiguous = true;  // every operation so far is final: the floor may follow
  for (Operation const* op : newer) {
    bool const final_state = is_final(op->state);
    if (final_state && counted_.insert(op->id).second) count(*op);
    contiguous = contiguous && final_state;
    if (contiguous) floor_ = op->id;
  }
  counted_.erase(counted_.begin(), counted_.upper_bound(floor_));
}

std::int64_t OperationTimes::floor() const {
  std::lock_guard const lock(mutex_);
  return floor_;
}

std::string OperationTimes::render() const {
  std::string out =
      "# HELP daxd_operation_stopped_seconds How long an operation stopped the volume's users "
      "(quiesce to resume), by operation type.\n"
      "# TYPE daxd_operation_stopped_seconds histogram\n";
  std::lock_guard const lock(mutex_);
  render_histograms(out, "daxd_operation_stopped_seconds", stopped_);
  out +=
      "# HELP daxd_operation_frozen_seconds How long an operation kept a filesystem frozen, by "
      "operation type.\n"
      "# TYPE daxd_operation_frozen_seconds histogram\n";
  render_histograms(out, "daxd_operation_frozen_seconds", frozen_);
  return out;
}

}  // namespace daxd::api
