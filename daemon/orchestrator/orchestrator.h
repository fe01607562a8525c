// SPDX-License-Identifier: Apache-2.0
// The transition engine: plans, preflights, locks, runs and recovers operations.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/host/host.h"
#include "daemon/model/operation.h"
#include "daemon/model/result.h"
#include "daemon/orchestrator/events.h"
#include "daemon/orchestrator/executor.h"
#include "daemon/orchestrator/resource_locks.h"
#include "daemon/orchestrator/step.h"
#include "state/journal.h"

namespace daxd::orchestrator {

/// One kind of operation. The plan must be a pure function of the (normalised) request:
/// recovery rebuilds it from the journal after a crash.
struct OperationType {
  std::string name;
  std::function<Result<Plan>(nlohmann::json const& request)> plan;
  /// Checks that the world allows the change now (consumers, force). Runs under the locks,
  /// before the journal; never at recovery. May be empty.
  std::function<Result<void>(nlohmann::json const& request, host::Host& host)> preflight;
};

struct Submitted {
  Operation operation;  // as journaled (pending or running)
  nlohmann::json plan;  // plan_to_json
};

struct RecoveryReport {
  int rolled_forward = 0;
  int rolled_back = 0;
  int failed = 0;
  std::vector<std::string> messages;
};

class Orchestrator {
 public:
  Orchestrator(host::Host& host, state::Journal& journal, host::Clock& clock, EventSink& events);
  ~Orchestrator();
  Orchestrator(Orchestrator const&) = delete;
  Orchestrator& operator=(Orchestrator const&) = delete;

  void register_type(OperationType type);

  /// Adds `check` to the preflight of the registered `type`, run before the type's own: another
  /// module's rule (volume membership refuses a namespace destroy). Errors: not_found.
  Result<void> add_preflight(
      std::string const& type,
      std::function<Result<void>(nlohmann::json const& request, host::Host& host)> check);

  /// The plan and its preflight verdict, changing nothing. Errors: invalid_argument, those of
  /// the preflight (busy with blockers, conflict).
  Result<nlohmann::json> dry_run(std::string const& type, nlohmann::json const& request);

  /// Plans, locks, preflights and journals the operation, then runs it on a worker thread.
  /// Errors: invalid_argument (unknown type, bad request), conflict (a resource is locked),
  /// the preflight's errors, io_error (journal).
  Result<Submitted> submit(std::string const& type, nlohmann::json const& request);

  /// The operation once final, or as it is when `timeout` passes. Errors: not_found.
  Result<Operation> wait(std::int64_t id, std::chrono::milliseconds timeout);

  Result<Operation> get(std::int64_t id);
  Result<std::vector<Operation>> list(int limit, int offset);

  /// Finishes or undoes every operation a crash interrupted. Call before serving requests.
  Result<RecoveryReport> recover();

  /// Waits for running operations; no new ones start.
  void shutdown();

 private:
  Result<Plan> make_plan(std::string const& type, nlohmann::json const& request);
  void run_operation(std::int64_t id, Plan plan);
  void publish(Operation const& op);
  void reap_finished_workers();  // with mutex_ held

  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };

  host::Host& host_;
  state::Journal& journal_;
  host::Clock& clock_;
  EventSink& events_;
  Executor executor_;
  ResourceLocks locks_;
  std::map<std::string, OperationType> types_;

  std::mutex mutex_;  // guards the members below
  std::condition_variable finished_;
  std::vector<Worker> workers_;
  std::set<std::int64_t> running_;  // submitted, final state not yet published
  std::uint64_t generation_ = 0;    // bumped on every operation change, for wait()
  std::int64_t next_token_ = 1;
  bool stopping_ = false;
};

}  // namespace daxd::orchestrator
