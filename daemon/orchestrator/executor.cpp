// SPDX-License-Identifier: Apache-2.0
// The transition engine's core loop. Every durable step has a crash point on each side, so the
// crash matrix can stop daxd between the kernel's change and the journal's record of it.
#include "daemon/orchestrator/executor.h"

#include <string>

#include "daemon/model/crash_point.h"

namespace daxd::orchestrator {
namespace {

void crash_at(Plan const& plan, Step const& step, char const* where) {
#if defined(DAXD_ENABLE_CRASH_POINTS)
  std::string const name = plan.type + "." + step.name + "." + where;
  DAXD_CRASH_POINT(name.c_str());
#else
  (void)plan, (void)step, (void)where;
#endif
}

// A step that may have touched the kernel: its undo must run during a rollback.
bool may_have_run(StepState s) {
  switch (s) {
    case StepState::pending:
    case StepState::undone:
      return false;
    case StepState::intent:
    case StepState::done:
    case StepState::undoing:
    case StepState::failed:
      return true;
  }
  return true;
}

}  // namespace

Result<nlohmann::json> Executor::load_data(std::int64_t id, std::size_t idx) {
  DAXD_ASSIGN_OR_RETURN(std::string const text, journal_.step_data(id, static_cast<int>(idx)));
  if (text.empty()) return nlohmann::json::object();
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Fail(Errc::internal, "operation " + std::to_string(id) + ": step " +
                                    std::to_string(idx) + " has unreadable journal data");
  }
  return parsed;
}

void Executor::report(std::int64_t id) {
  if (!progress_) return;
  if (auto op = journal_.get(id)) progress_(*op);
}

Result<Operation> Executor::execute(std::int64_t id, Plan const& plan) {
  return run_from(id, plan, 0);
}

Result<Operation> Executor::run_from(std::int64_t id, Plan const& plan, std::size_t first) {
  DAXD_TRY(journal_.set_state(id, OperationState::running));
  report(id);
  for (std::size_t i = first; i < plan.steps.size(); ++i) {
    Step const& step = plan.steps[i];
    int const idx = static_cast<int>(i);
    DAXD_ASSIGN_OR_RETURN(nlohmann::json data, load_data(id, i));
    DAXD_TRY(journal_.step_intent(id, idx, data.dump()));
    // An irreversible step commits before it runs: once it may have acted, the only way out of
    // a crash is forward (it is idempotent, so running it again is safe).
    bool const commits_first = step.commit_point && !step.undo;
    if (commits_first) DAXD_TRY(journal_.mark_past_commit(id));
    crash_at(plan, step, "before");
    StepContext ctx{host_, data, id};
    auto outcome = step.run(ctx);
    crash_at(plan, step, "after");
    if (!outcome) {
      Error why = std::move(outcome).error();
      DAXD_TRY(journal_.step_failed(id, idx, why.message));
      DAXD_ASSIGN_OR_RETURN(Operation const op, journal_.get(id));
      // A step that reports failure did not act (steps fail before they change anything), so
      // an irreversible step that just committed can still roll back what came before it.
      if (op.past_commit && !commits_first) return finish(id, OperationState::failed, &why);
      return roll_back(id, plan, i, std::move(why));
    }
    data["changed"] = *outcome == Outcome::changed;
    DAXD_TRY(journal_.step_done(id, idx, data.dump()));
    if (step.commit_point && !commits_first) DAXD_TRY(journal_.mark_past_commit(id));
    report(id);
  }
  return finish(id, OperationState::completed, nullptr);
}

Result<Operation> Executor::roll_back(std::int64_t id, Plan const& plan, std::size_t last,
                                      Error why) {
  DAXD_TRY(journal_.set_state(id, OperationState::rolling_back, why.message));
  report(id);
  DAXD_ASSIGN_OR_RETURN(Operation const op, journal_.get(id));
  for (std::size_t n = last + 1; n-- > 0;) {
    Step const& step = plan.steps[n];
    int const idx = static_cast<int>(n);
    if (n >= op.steps.size() || !may_have_run(op.steps[n].state)) continue;
    if (!step.undo) {
      DAXD_TRY(journal_.step_undone(id, idx));
      continue;
    }
    DAXD_ASSIGN_OR_RETURN(nlohmann::json data, load_data(id, n));
    DAXD_TRY(journal_.step_undoing(id, idx));
    crash_at(plan, step, "undo");
    StepContext ctx{host_, data, id};
    if (auto undone = step.undo(ctx); !undone) {
      // A failed rollback keeps both errors: why we rolled back and why that failed.
      Error both = why;
      both.cause = undone.error().message;
      DAXD_TRY(journal_.step_failed(id, idx, undone.error().message));
      return finish(id, OperationState::failed, &both);
    }
    DAXD_TRY(journal_.step_undone(id, idx));
  }
  return finish(id, OperationState::rolled_back, &why);
}

Result<Operation> Executor::finish(std::int64_t id, OperationState state, Error const* why) {
  std::string message;
  std::string code;
  if (why != nullptr) {
    message = why->message;
    code = std::string(to_string(why->code));
    if (!why->cause.empty()) message += "; rollback failed too: " + why->cause;
  }
  DAXD_TRY(journal_.set_state(id, state, message, code));
  report(id);
  if (why != nullptr) return Unexpected{*why};
  return journal_.get(id);
}

Result<Operation> Executor::recover(std::int64_t id, Plan const& plan) {
  DAXD_ASSIGN_OR_RETURN(Operation const op, journal_.get(id));
  if (op.steps.size() != plan.steps.size()) {
    return Fail(Errc::internal, "operation " + std::to_string(id) + ": journal has " +
                                    std::to_string(op.steps.size()) + " steps, plan has " +
                                    std::to_string(plan.steps.size()));
  }
  if (op.past_commit) {
    std::size_t first = 0;
    while (first < op.steps.size() && op.steps[first].state == StepState::done) ++first;
    return run_from(id, plan, first);
  }
  std::size_t last = op.steps.size();
  while (last > 0 && !may_have_run(op.steps[last - 1].state)) --last;
  // Keep the first error when the crash hit a rollback already under way.
  Error why{Errc::io_error,
            op.error.empty() ? "daxd stopped during the operation; undone at start-up" : op.error};
  if (last == 0) return finish(id, OperationState::rolled_back, &why);
  return roll_back(id, plan, last - 1, std::move(why));
}

}  // namespace daxd::orchestrator
