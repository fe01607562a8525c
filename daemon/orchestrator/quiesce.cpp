// SPDX-License-Identifier: Apache-2.0
// Quiesce polls rather than waits on events: /proc has no notification for a closed mapping, and
// the deadline bounds how long the world is stopped either way.
#include "daemon/orchestrator/quiesce.h"

#include <algorithm>
#include <csignal>
#include <set>

#include "daemon/orchestrator/volume_consumers.h"

namespace daxd::orchestrator {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kPoll{20};
constexpr milliseconds kKillGrace{2000};  // SIGKILL'd processes need a moment to be reaped

std::vector<Consumer> map_sync_only(std::vector<Consumer> const& all) {
  std::vector<Consumer> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [](Consumer const& c) { return c.pid != 0 && c.map_sync; });
  return out;
}

// Polls until no process is left or `budget` passes; returns those still there.
Result<std::vector<Consumer>> poll_until_gone(host::Host& host, ConsumerScan const& scan,
                                              milliseconds budget) {
  auto const until = host.clock().now_steady() + budget;
  while (true) {
    DAXD_ASSIGN_OR_RETURN(auto const all, scan());
    auto left = process_consumers(all);
    if (left.empty() || host.clock().now_steady() >= until) return left;
    host.clock().sleep_for(std::min(kPoll, budget));
  }
}

void signal_all(host::Host& host, std::vector<Consumer> const& who, int sig) {
  std::set<int> pids;
  for (auto const& c : who) pids.insert(c.pid);
  // A process gone since the scan is what we wanted; a refusal shows in the next scan.
  for (int pid : pids) ignore_result(host.processes().send_signal(pid, sig));
}

Result<void> terminate(host::Host& host, QuiesceRequest const& r, ConsumerScan const& scan) {
  DAXD_ASSIGN_OR_RETURN(auto const all, scan());
  auto left = process_consumers(all);
  if (left.empty()) return Ok();
  signal_all(host, left, SIGTERM);
  DAXD_ASSIGN_OR_RETURN(left, poll_until_gone(host, scan, r.deadline));
  if (left.empty()) return Ok();
  signal_all(host, left, SIGKILL);
  DAXD_ASSIGN_OR_RETURN(left, poll_until_gone(host, scan, kKillGrace));
  if (left.empty()) return Ok();
  return Fail(volume_busy(r.volume, r.verb + " (processes survived SIGKILL)", std::move(left)));
}

}  // namespace

std::string_view to_string(QuiescePolicy p) {
  switch (p) {
    case QuiescePolicy::refuse:
      return "refuse";
    case QuiescePolicy::wait:
      return "wait";
    case QuiescePolicy::terminate:
      return "terminate";
  }
  return "refuse";
}

Result<QuiescePolicy> parse_quiesce_policy(std::string_view text) {
  if (text == "refuse") return QuiescePolicy::refuse;
  if (text == "wait") return QuiescePolicy::wait;
  if (text == "terminate") return QuiescePolicy::terminate;
  return Fail(Errc::invalid_argument, "'policy' must be \"refuse\", \"wait\" or \"terminate\"");
}

Result<void> check_quiesce(QuiesceRequest const& r, std::vector<Consumer> const& found) {
  switch (r.policy) {
    case QuiescePolicy::refuse:
      if (auto p = process_consumers(found); !p.empty()) {
        return Fail(volume_busy(r.volume, r.verb, std::move(p)));
      }
      return Ok();
    case QuiescePolicy::wait:
      // Waiting cannot make a MAP_SYNC user safe: it relies on DAX for durability.
      // Unless hooks are registered: the application may end its mapping when asked; the
      // check after the wait still requires every process gone.
      if (auto s = map_sync_only(found); r.dax_off && !r.has_hooks && !s.empty()) {
        return Fail(volume_busy(r.volume, r.verb + " under a MAP_SYNC mapping", std::move(s)));
      }
      return Ok();
    case QuiescePolicy::terminate:
      return Ok();
  }
  return Ok();
}

Result<void> quiesce(host::Host& host, QuiesceRequest const& r, ConsumerScan const& scan) {
  DAXD_ASSIGN_OR_RETURN(auto const found, scan());
  DAXD_TRY(check_quiesce(r, found));
  if (r.policy == QuiescePolicy::refuse) return Ok();
  if (r.hook) DAXD_TRY(r.hook(r));  // applications let go first
  if (r.policy == QuiescePolicy::terminate) return terminate(host, r, scan);
  DAXD_ASSIGN_OR_RETURN(auto left, poll_until_gone(host, scan, r.deadline));
  if (left.empty()) return Ok();
  return Fail(volume_busy(r.volume, r.verb + ": still in use at the deadline", std::move(left)));
}

}  // namespace daxd::orchestrator
