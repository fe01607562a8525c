// SPDX-License-Identifier: Apache-2.0
// The event log on SQLite, pruned on every append.
#include "state/event_log.h"

namespace daxd::state {
namespace {

// Ids only grow (AUTOINCREMENT), so "older than the newest keep" is an id range.
Result<std::int64_t> delete_older(Database& db, std::int64_t newest, std::size_t keep) {
  DAXD_ASSIGN_OR_RETURN(Statement stmt, db.prepare("DELETE FROM events WHERE id <= ?1"));
  DAXD_TRY(stmt.bind(1, newest - static_cast<std::int64_t>(keep)));
  DAXD_TRY(stmt.run());
  return db.changes();
}

}  // namespace

Result<std::int64_t> EventLog::append(std::string const& type, std::string const& object,
                                      std::string const& data_json) {
  std::int64_t const at = now_();
  std::int64_t id = 0;
  auto body = [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(
        Statement ins,
        db_.prepare("INSERT INTO events (at_ms, type, object, data_json) VALUES (?1, ?2, ?3, ?4)"));
    DAXD_TRY(ins.bind_all(at, type, object, data_json));
    DAXD_TRY(ins.run());
    id = db_.last_insert_rowid();
    DAXD_TRY(delete_older(db_, id, keep_));
    return Ok();
  };
  DAXD_TRY(write_transaction(db_, body));
  return id;
}

Result<std::vector<Event>> EventLog::since(std::int64_t since_id, int limit) {
  std::vector<Event> out;
  auto body = [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(
        Statement stmt,
        db_.prepare(
            "SELECT id, at_ms, type, object, data_json FROM events WHERE id > ?1 ORDER BY id "
            "LIMIT ?2"));
    DAXD_TRY(stmt.bind_all(since_id, std::int64_t{limit}));
    for (;;) {
      DAXD_ASSIGN_OR_RETURN(bool has_row, stmt.step());
      if (!has_row) return Ok();
      out.push_back(Event{stmt.column_int64(0), stmt.column_int64(1), stmt.column_text(2),
                          stmt.column_text(3), stmt.column_text(4)});
    }
  };
  DAXD_TRY(read_transaction(db_, body));
  return out;
}

Result<std::int64_t> EventLog::oldest_id() {
  std::lock_guard<std::mutex> lock(db_.mutex());
  return db_.query_int("SELECT COALESCE(MIN(id), 0) FROM events");
}

Result<std::int64_t> EventLog::last_id() {
  std::lock_guard<std::mutex> lock(db_.mutex());
  // sqlite_sequence remembers the largest id ever used, even when every event was pruned.
  return db_.query_int(
      "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)");
}

Result<std::int64_t> EventLog::prune(std::size_t keep) {
  std::int64_t deleted = 0;
  auto body = [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(std::int64_t newest,
                          db_.query_int("SELECT COALESCE(MAX(id), 0) FROM events"));
    DAXD_ASSIGN_OR_RETURN(deleted, delete_older(db_, newest, keep));
    return Ok();
  };
  DAXD_TRY(write_transaction(db_, body));
  return deleted;
}

}  // namespace daxd::state
