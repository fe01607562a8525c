// SPDX-License-Identifier: Apache-2.0
// The operation journal: each operation and its steps, written before and after every step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/model/operation.h"
#include "daemon/model/result.h"
#include "state/database.h"

namespace daxd::state {

/// What the journal holds about one step beyond the model's StepRecord.
struct StepDetail {
  StepRecord record;
  std::string data_json;  // what the step recorded ("" when nothing)
  std::string error;      // why the step failed ("" unless failed)
  std::int64_t updated_at_ms = 0;
};

/// The durable record the orchestrator keeps: intent before a step runs, done after.
///
/// Every write is its own transaction and is durable (synchronous=FULL) when it returns, so a
/// crash at any point leaves the last state written. Thread-safe (see Database).
/// Errors of every method: io_error (SQLite failed), plus those listed.
class Journal {
 public:
  Journal(Database& db, NowMs now) : db_(db), now_(std::move(now)) {}

  /// Stores `op` with its planned steps; the operation and every step start `pending` whatever
  /// their states in `op`. created_at_ms is taken from the clock when `op` leaves it 0.
  /// Returns the new operation id.
  Result<std::int64_t> begin(Operation const& op);

  /// Moves the operation to `state`. A non-empty `error` replaces the stored one (an empty one
  /// keeps it, so a rollback does not erase why it started). Entering a final state sets
  /// finished_at_ms. Errors: not_found.
  /// `error_code` is the daxd::Errc name of the error, kept like `error`.
  Result<void> set_state(std::int64_t id, OperationState state, std::string const& error = {},
                         std::string const& error_code = {});
  /// Marks that the operation passed a commit point: recovery rolls it forward from now on.
  /// Errors: not_found.
  Result<void> mark_past_commit(std::int64_t id);
  /// Records how long the world was stopped and a filesystem frozen. Errors: not_found.
  Result<void> record_times(std::int64_t id, std::int64_t stopped_ms, std::int64_t frozen_ms);

  /// Step `idx` is about to run; `data_json` (if not empty) records what it will create.
  /// Errors: not_found (no such operation or step).
  Result<void> step_intent(std::int64_t id, int idx, std::string const& data_json = {});
  /// Step `idx` ran; a non-empty `data_json` replaces the recorded data. Errors: not_found.
  Result<void> step_done(std::int64_t id, int idx, std::string const& data_json = {});
  /// Step `idx` is about to be undone. Errors: not_found.
  Result<void> step_undoing(std::int64_t id, int idx);
  /// Step `idx` was undone. Errors: not_found.
  Result<void> step_undone(std::int64_t id, int idx);
  /// Step `idx` failed with `error` (do or undo). Errors: not_found.
  Result<void> step_failed(std::int64_t id, int idx, std::string const& error);
  /// Replaces the data of step `idx` without changing its state. Errors: not_found.
  Result<void> set_step_data(std::int64_t id, int idx, std::string const& data_json);

  /// The operation with its steps in order. Errors: not_found.
  Result<Operation> get(std::int64_t id);
  /// Step `idx` with its data and error. Errors: not_found.
  Result<StepDetail> step(std::int64_t id, int idx);
  /// Every step of the operation with its data, in order. Errors: not_found.
  Result<std::vector<StepDetail>> steps(std::int64_t id);
  /// The data_json of step `idx` ("" when none). Errors: not_found.
  Result<std::string> step_data(std::int64_t id, int idx);
  /// Operations newest first, skipping `offset`.
  Result<std::vector<Operation>> list(int limit, int offset = 0);
  /// Operations that are not in a final state, oldest first: what recovery must finish or undo.
  Result<std::vector<Operation>> unfinished();

 private:
  Database& db_;
  NowMs now_;
};

}  // namespace daxd::state
