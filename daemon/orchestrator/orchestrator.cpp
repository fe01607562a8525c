// SPDX-License-Identifier: Apache-2.0
// Operations run off the HTTP threads, one worker each; locks bound how many touch a resource.
#include "daemon/orchestrator/orchestrator.h"

#include "daemon/model/json.h"

namespace daxd::orchestrator {

Orchestrator::Orchestrator(host::Host& host, state::Journal& journal, host::Clock& clock,
                           EventSink& events)
    : host_(host),
      journal_(journal),
      clock_(clock),
      events_(events),
      executor_(host, journal, [this](Operation const& op) { publish(op); }) {}

Orchestrator::~Orchestrator() { shutdown(); }

void Orchestrator::register_type(OperationType type) {
  auto name = type.name;
  types_.insert_or_assign(std::move(name), std::move(type));
}

Result<void> Orchestrator::add_preflight(
    std::string const& type,
    std::function<Result<void>(nlohmann::json const& request, host::Host& host)> check) {
  auto const it = types_.find(type);
  if (it == types_.end()) return Fail(Errc::not_found, "unknown operation type '" + type + "'");
  it->second.preflight = [check = std::move(check), own = std::move(it->second.preflight)](
                             nlohmann::json const& request, host::Host& host) -> Result<void> {
    DAXD_TRY(check(request, host));
    if (own) return own(request, host);
    return Ok();
  };
  return Ok();
}

void Orchestrator::publish(Operation const& op) {
  // Free the resources before anyone can see the final state: a client that saw "completed"
  // may start the next operation on the same resource at once.
  if (is_final(op.state)) locks_.release(op.id);
  events_.publish(Event{"operation", "operation/" + std::to_string(op.id), nlohmann::json(op)});
  {
    std::lock_guard const lock(mutex_);
    if (is_final(op.state)) running_.erase(op.id);
    ++generation_;
  }
  finished_.notify_all();
}

Result<Plan> Orchestrator::make_plan(std::string const& type, nlohmann::json const& request) {
  auto const it = types_.find(type);
  if (it == types_.end()) {
    return Fail(Errc::invalid_argument, "unknown operation type '" + type + "'");
  }
  return it->second.plan(request);
}

Result<nlohmann::json> Orchestrator::dry_run(std::string const& type,
                                             nlohmann::json const& request) {
  DAXD_ASSIGN_OR_RETURN(Plan const plan, make_plan(type, request));
  auto const& preflight = types_.at(type).preflight;
  if (preflight) DAXD_TRY(preflight(request, host_));
  return plan_to_json(plan);
}

Result<Submitted> Orchestrator::submit(std::string const& type, nlohmann::json const& request) {
  DAXD_ASSIGN_OR_RETURN(Plan plan, make_plan(type, request));
  std::int64_t token = 0;
  {
    std::lock_guard const lock(mutex_);
    if (stopping_) return Fail(Errc::unavailable, "daxd is shutting down");
    token = -(next_token_++);  // provisional owner until the journal gives the operation an id
    reap_finished_workers();
  }
  DAXD_TRY(locks_.acquire(plan.resources, token));
  auto fail = [&](Error e) -> Result<Submitted> {
    locks_.release(token);
    return Unexpected{std::move(e)};
  };
  if (auto const& preflight = types_.at(type).preflight; preflight) {
    if (auto ok = preflight(request, host_); !ok) return fail(std::move(ok).error());
  }
  Operation draft;
  draft.type = plan.type;
  draft.target = plan.target;
  draft.request = request.dump();
  draft.created_at_ms = clock_.now_unix_ms();
  for (auto const& s : plan.steps) {
    draft.steps.push_back(StepRecord{s.name, s.description, StepState::pending, s.commit_point});
  }
  auto id = journal_.begin(draft);
  if (!id) return fail(std::move(id).error());
  locks_.transfer(token, *id);
  token = *id;
  {
    std::lock_guard const lock(mutex_);
    running_.insert(*id);
  }
  auto op = journal_.get(*id);
  if (!op) return fail(std::move(op).error());
  publish(*op);
  Submitted out{*op, plan_to_json(plan)};
  std::lock_guard const lock(mutex_);
  auto done = std::make_shared<std::atomic<bool>>(false);
  workers_.push_back(Worker{std::thread([this, op_id = *id, done, p = std::move(plan)]() mutable {
                              run_operation(op_id, std::move(p));
                              done->store(true);
                            }),
                            done});
  return out;
}

void Orchestrator::run_operation(std::int64_t id, Plan plan) {
  // The outcome is in the journal (and the events); the error needs no other home.
  ignore_result(executor_.execute(id, plan));
  locks_.release(id);  // normally done when the final state was published; also after errors
  std::lock_guard const lock(mutex_);
  running_.erase(id);
  ++generation_;
  finished_.notify_all();
}

void Orchestrator::reap_finished_workers() {
  std::erase_if(workers_, [](Worker& w) {
    if (!w.done->load()) return false;
    w.thread.join();
    return true;
  });
}

Result<Operation> Orchestrator::wait(std::int64_t id, std::chrono::milliseconds timeout) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::uint64_t seen = 0;
    bool running = false;
    {
      std::lock_guard const lock(mutex_);
      seen = generation_;
      running = running_.contains(id);
    }
    DAXD_ASSIGN_OR_RETURN(Operation op, journal_.get(id));
    // Final in the journal and published (its locks free): the caller may go on at once.
    if (is_final(op.state) && !running) return op;
    std::unique_lock lock(mutex_);
    if (!finished_.wait_until(lock, deadline, [&] { return generation_ != seen; })) return op;
  }
}

Result<Operation> Orchestrator::get(std::int64_t id) { return journal_.get(id); }

Result<std::vector<Operation>> Orchestrator::list(int limit, int offset) {
  return journal_.list(limit, offset);
}

Result<RecoveryReport> Orchestrator::recover() {
  RecoveryReport report;
  DAXD_ASSIGN_OR_RETURN(auto const unfinished, journal_.unfinished());
  for (auto const& op : unfinished) {
    auto const request = nlohmann::json::parse(op.request, nullptr, /*allow_exceptions=*/false);
    auto plan = make_plan(op.type, request.is_discarded() ? nlohmann::json{} : request);
    if (!plan) {
      DAXD_TRY(journal_.set_state(op.id, OperationState::failed,
                                  "cannot rebuild the plan at recovery: " + plan.error().message));
      ++report.failed;
      report.messages.push_back("operation " + std::to_string(op.id) + ": " + plan.error().message);
      continue;
    }
    ignore_result(executor_.recover(op.id, *plan));  // the journal has the outcome
    DAXD_ASSIGN_OR_RETURN(Operation const after, journal_.get(op.id));
    switch (after.state) {
      case OperationState::completed:
        ++report.rolled_forward;
        break;
      case OperationState::rolled_back:
        ++report.rolled_back;
        break;
      case OperationState::pending:
      case OperationState::running:
      case OperationState::rolling_back:
      case OperationState::failed:
        ++report.failed;
        break;
    }
    report.messages.push_back("operation " + std::to_string(op.id) + " (" + op.type +
                              "): " + std::string(to_string(after.state)));
  }
  return report;
}

void Orchestrator::shutdown() {
  std::vector<Worker> running;
  {
    std::lock_guard const lock(mutex_);
    stopping_ = true;
    running.swap(workers_);
  }
  for (auto& w : running) w.thread.join();
}

}  // namespace daxd::orchestrator
