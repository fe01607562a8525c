// SPDX-License-Identifier: Apache-2.0
// The operation journal on SQLite: one durable transaction per write.
#include "state/journal.h"

#include <array>

namespace daxd::state {
namespace {

constexpr std::array kOperationStates = {OperationState::pending,      OperationState::running,
                                         OperationState::rolling_back, OperationState::completed,
                                         OperationState::rolled_back,  OperationState::failed};
constexpr std::array kStepStates = {StepState::pending, StepState::intent, StepState::done,
                                    StepState::undoing, StepState::undone, StepState::failed};

// States are stored by name; a name this binary does not know means a damaged database.
template <typename E, std::size_t N>
Result<E> parse_state(std::string const& text, std::array<E, N> const& all) {
  for (E e : all) {
    if (to_string(e) == text) return e;
  }
  return Fail(Errc::internal, "state database: unknown state '" + text + "'");
}

std::string op_name(std::int64_t id) { return "operation " + std::to_string(id); }

std::string step_name(std::int64_t id, int idx) {
  return op_name(id) + " step " + std::to_string(idx);
}

// Runs one UPDATE in its own transaction; no row changed means the target does not exist.
template <typename... Args>
Result<void> update_one(Database& db, std::string const& what, std::string_view sql,
                        Args const&... args) {
  return write_transaction(db, [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(Statement stmt, db.prepare(sql));
    DAXD_TRY(stmt.bind_all(args...));
    DAXD_TRY(stmt.run());
    if (db.changes() == 0) return Fail(Errc::not_found, what + ": not in the journal");
    return Ok();
  });
}

// A NULL parameter tells the UPDATE to keep the column (COALESCE); "" means "keep" too.
std::optional<std::string_view> keep_if_empty(std::string const& s) {
  if (s.empty()) return std::nullopt;
  return std::string_view(s);
}

constexpr std::string_view kOperationColumns =
    "SELECT id, type, target, state, past_commit, request_json, error, created_at_ms, "
    "finished_at_ms, stopped_ms, frozen_ms, error_code FROM operations ";

Result<Operation> read_operation(Statement const& row) {
  Operation op;
  op.id = row.column_int64(0);
  op.type = row.column_text(1);
  op.target = row.column_text(2);
  DAXD_ASSIGN_OR_RETURN(op.state, parse_state(row.column_text(3), kOperationStates));
  op.past_commit = row.column_int64(4) != 0;
  op.request = row.column_text(5);
  op.error = row.column_text(6);
  op.created_at_ms = row.column_int64(7);
  op.finished_at_ms = row.column_int64(8);
  op.stopped_ms = row.column_int64(9);
  op.frozen_ms = row.column_int64(10);
  op.error_code = row.column_text(11);
  return op;
}

constexpr std::string_view kStepColumns =
    "SELECT idx, name, description, state, commit_point, data_json, error, updated_at_ms "
    "FROM operation_steps WHERE operation_id = ?1 ";

Result<StepDetail> read_step(Statement const& row) {
  StepDetail d;
  d.record.name = row.column_text(1);
  d.record.description = row.column_text(2);
  DAXD_ASSIGN_OR_RETURN(d.record.state, parse_state(row.column_text(3), kStepStates));
  d.record.commit_point = row.column_int64(4) != 0;
  d.data_json = row.column_text(5);
  d.error = row.column_text(6);
  d.updated_at_ms = row.column_int64(7);
  return d;
}

Result<std::vector<StepDetail>> read_steps(Database& db, std::int64_t id) {
  DAXD_ASSIGN_OR_RETURN(Statement stmt, db.prepare(std::string(kStepColumns) + "ORDER BY idx"));
  DAXD_TRY(stmt.bind(1, id));
  std::vector<StepDetail> steps;
  for (;;) {
    DAXD_ASSIGN_OR_RETURN(bool has_row, stmt.step());
    if (!has_row) break;
    DAXD_ASSIGN_OR_RETURN(StepDetail d, read_step(stmt));
    steps.push_back(std::move(d));
  }
  return steps;
}

// Loads the operations selected by `tail` (WHERE/ORDER/LIMIT with parameters `args`) with
// their steps, all from one read snapshot.
template <typename... Args>
Result<std::vector<Operation>> load_operations(Database& db, std::string_view tail,
                                               Args const&... args) {
  std::vector<Operation> ops;
  auto body = [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(Statement stmt,
                          db.prepare(std::string(kOperationColumns) + std::string(tail)));
    DAXD_TRY(stmt.bind_all(args...));
    for (;;) {
      DAXD_ASSIGN_OR_RETURN(bool has_row, stmt.step());
      if (!has_row) break;
      DAXD_ASSIGN_OR_RETURN(Operation op, read_operation(stmt));
      ops.push_back(std::move(op));
    }
    for (Operation& op : ops) {
      DAXD_ASSIGN_OR_RETURN(std::vector<StepDetail> details, read_steps(db, op.id));
      for (StepDetail& d : details) op.steps.push_back(std::move(d.record));
    }
    return Ok();
  };
  DAXD_TRY(read_transaction(db, body));
  return ops;
}

// "'pending', 'running', ..." for every state that is not final.
std::string unfinished_states_sql() {
  std::string list;
  for (OperationState s : kOperationStates) {
    if (is_final(s)) continue;
    if (!list.empty()) list += ", ";
    list += "'" + std::string(to_string(s)) + "'";
  }
  return list;
}

}  // namespace

Result<std::int64_t> Journal::begin(Operation const& op) {
  std::int64_t const now = now_();
  std::int64_t const created = op.created_at_ms != 0 ? op.created_at_ms : now;
  std::int64_t id = 0;
  auto body = [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(
        Statement ins,
        db_.prepare("INSERT INTO operations (type, target, state, request_json, created_at_ms) "
                    "VALUES (?1, ?2, 'pending', ?3, ?4)"));
    DAXD_TRY(ins.bind_all(std::string_view(op.type), std::string_view(op.target),
                          std::string_view(op.request), created));
    DAXD_TRY(ins.run());
    id = db_.last_insert_rowid();
    DAXD_ASSIGN_OR_RETURN(Statement step,
                          db_.prepare("INSERT INTO operation_steps (operation_id, idx, name, "
                                      "description, state, commit_point, "
                                      "updated_at_ms) VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6)"));
    for (std::size_t i = 0; i < op.steps.size(); ++i) {
      StepRecord const& s = op.steps[i];
      step.reset();
      DAXD_TRY(step.bind_all(id, static_cast<std::int64_t>(i), std::string_view(s.name),
                             std::string_view(s.description), std::int64_t{s.commit_point ? 1 : 0},
                             now));
      DAXD_TRY(step.run());
    }
    return Ok();
  };
  DAXD_TRY(write_transaction(db_, body));
  return id;
}

Result<void> Journal::set_state(std::int64_t id, OperationState state, std::string const& error,
                                std::string const& error_code) {
  std::int64_t const finished = is_final(state) ? now_() : 0;
  return write_transaction(db_, [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(Statement cur, db_.prepare("SELECT state FROM operations WHERE id = ?1"));
    DAXD_TRY(cur.bind(1, id));
    DAXD_ASSIGN_OR_RETURN(bool found, cur.step());
    if (!found) return Fail(Errc::not_found, op_name(id) + ": not in the journal");
    DAXD_ASSIGN_OR_RETURN(OperationState old, parse_state(cur.column_text(0), kOperationStates));
    // A final state is never left: a second writer after completion is a bug in the caller.
    if (is_final(old) && old != state) {
      return Fail(Errc::internal, op_name(id) + ": cannot move from " +
                                      std::string(to_string(old)) + " to " +
                                      std::string(to_string(state)));
    }
    DAXD_ASSIGN_OR_RETURN(
        Statement upd, db_.prepare("UPDATE operations SET state = ?1, error = COALESCE(?2, error), "
                                   "finished_at_ms = CASE WHEN ?3 = 0 OR finished_at_ms <> 0 THEN "
                                   "finished_at_ms ELSE ?3 END, "
                                   "error_code = COALESCE(?5, error_code) "
                                   "WHERE id = ?4"));
    DAXD_TRY(upd.bind_all(to_string(state), keep_if_empty(error), finished, id,
                          keep_if_empty(error_code)));
    return upd.run();
  });
}

Result<void> Journal::mark_past_commit(std::int64_t id) {
  return update_one(db_, op_name(id), "UPDATE operations SET past_commit = 1 WHERE id = ?1", id);
}

Result<void> Journal::record_times(std::int64_t id, std::int64_t stopped_ms,
                                   std::int64_t frozen_ms) {
  return update_one(db_, op_name(id),
                    "UPDATE operations SET stopped_ms = ?1, frozen_ms = ?2 WHERE id = ?3",
                    stopped_ms, frozen_ms, id);
}

namespace {

constexpr std::string_view kUpdateStep =
    "UPDATE operation_steps SET state = ?1, data_json = COALESCE(?2, data_json), "
    "error = COALESCE(?3, error), updated_at_ms = ?4 WHERE operation_id = ?5 AND idx = ?6";

}  // namespace

Result<void> Journal::step_intent(std::int64_t id, int idx, std::string const& data_json) {
  return update_one(db_, step_name(id, idx), kUpdateStep, to_string(StepState::intent),
                    keep_if_empty(data_json), std::optional<std::string_view>(), now_(), id,
                    std::int64_t{idx});
}

Result<void> Journal::step_done(std::int64_t id, int idx, std::string const& data_json) {
  return update_one(db_, step_name(id, idx), kUpdateStep, to_string(StepState::done),
                    keep_if_empty(data_json), std::optional<std::string_view>(), now_(), id,
                    std::int64_t{idx});
}

Result<void> Journal::step_undoing(std::int64_t id, int idx) {
  return update_one(db_, step_name(id, idx), kUpdateStep, to_string(StepState::undoing),
                    std::optional<std::string_view>(), std::optional<std::string_view>(), now_(),
                    id, std::int64_t{idx});
}

Result<void> Journal::step_undone(std::int64_t id, int idx) {
  return update_one(db_, step_name(id, idx), kUpdateStep, to_string(StepState::undone),
                    std::optional<std::string_view>(), std::optional<std::string_view>(), now_(),
                    id, std::int64_t{idx});
}

Result<void> Journal::step_failed(std::int64_t id, int idx, std::string const& error) {
  return update_one(db_, step_name(id, idx), kUpdateStep, to_string(StepState::failed),
                    std::optional<std::string_view>(), std::optional<std::string_view>(error),
                    now_(), id, std::int64_t{idx});
}

Result<void> Journal::set_step_data(std::int64_t id, int idx, std::string const& data_json) {
  return update_one(db_, step_name(id, idx),
                    "UPDATE operation_steps SET data_json = ?1, updated_at_ms = ?2 "
                    "WHERE operation_id = ?3 AND idx = ?4",
                    std::string_view(data_json), now_(), id, std::int64_t{idx});
}

Result<Operation> Journal::get(std::int64_t id) {
  DAXD_ASSIGN_OR_RETURN(std::vector<Operation> ops, load_operations(db_, "WHERE id = ?1", id));
  if (ops.empty()) return Fail(Errc::not_found, op_name(id) + ": not in the journal");
  return std::move(ops.front());
}

Result<StepDetail> Journal::step(std::int64_t id, int idx) {
  DAXD_ASSIGN_OR_RETURN(std::vector<StepDetail> all, steps(id));
  if (idx < 0 || static_cast<std::size_t>(idx) >= all.size()) {
    return Fail(Errc::not_found, step_name(id, idx) + ": not in the journal");
  }
  return std::move(all[static_cast<std::size_t>(idx)]);
}

Result<std::vector<StepDetail>> Journal::steps(std::int64_t id) {
  std::vector<StepDetail> all;
  auto body = [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(Statement exists, db_.prepare("SELECT 1 FROM operations WHERE id = ?1"));
    DAXD_TRY(exists.bind(1, id));
    DAXD_ASSIGN_OR_RETURN(bool found, exists.step());
    if (!found) return Fail(Errc::not_found, op_name(id) + ": not in the journal");
    DAXD_ASSIGN_OR_RETURN(all, read_steps(db_, id));
    return Ok();
  };
  DAXD_TRY(read_transaction(db_, body));
  return all;
}

Result<std::string> Journal::step_data(std::int64_t id, int idx) {
  DAXD_ASSIGN_OR_RETURN(StepDetail d, step(id, idx));
  return std::move(d.data_json);
}

Result<std::vector<Operation>> Journal::list(int limit, int offset) {
  return load_operations(db_, "ORDER BY id DESC LIMIT ?1 OFFSET ?2", std::int64_t{limit},
                         std::int64_t{offset});
}

Result<std::vector<Operation>> Journal::unfinished() {
  std::string const tail = "WHERE state IN (" + unfinished_states_sql() + ") ORDER BY id";
  return load_operations(db_, tail);
}

}  // namespace daxd::state
