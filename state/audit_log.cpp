// SPDX-License-Identifier: Apache-2.0
// The audit log on SQLite, pruned on every append.
#include "state/audit_log.h"

namespace daxd::state {
namespace {

std::optional<std::int64_t> widen(std::optional<std::uint32_t> v) {
  if (!v) return std::nullopt;
  return std::int64_t{*v};
}

std::optional<std::int64_t> widen(std::optional<std::int32_t> v) {
  if (!v) return std::nullopt;
  return std::int64_t{*v};
}

Result<void> check_operation(Database& db, std::optional<std::int64_t> id) {
  if (!id) return Ok();
  DAXD_ASSIGN_OR_RETURN(Statement stmt, db.prepare("SELECT 1 FROM operations WHERE id = ?1"));
  DAXD_TRY(stmt.bind(1, *id));
  DAXD_ASSIGN_OR_RETURN(bool found, stmt.step());
  if (!found) {
    return Fail(Errc::invalid_argument,
                "audit: operation " + std::to_string(*id) + " is not in the journal");
  }
  return Ok();
}

// Ids only grow (AUTOINCREMENT), so "older than the newest keep" is an id range.
Result<std::int64_t> delete_older(Database& db, std::string_view table, std::int64_t newest,
                                  std::size_t keep) {
  DAXD_ASSIGN_OR_RETURN(Statement stmt,
                        db.prepare("DELETE FROM " + std::string(table) + " WHERE id <= ?1"));
  DAXD_TRY(stmt.bind(1, newest - static_cast<std::int64_t>(keep)));
  DAXD_TRY(stmt.run());
  return db.changes();
}

AuditEntry read_entry(Statement const& row) {
  AuditEntry e;
  e.id = row.column_int64(0);
  e.at_ms = row.column_int64(1);
  if (auto v = row.column_optional_int64(2)) e.peer_uid = static_cast<std::uint32_t>(*v);
  if (auto v = row.column_optional_int64(3)) e.peer_gid = static_cast<std::uint32_t>(*v);
  if (auto v = row.column_optional_int64(4)) e.peer_pid = static_cast<std::int32_t>(*v);
  e.method = row.column_text(5);
  e.path = row.column_text(6);
  e.body_excerpt = row.column_text(7);
  e.status = static_cast<unsigned>(row.column_int64(8));
  e.result = row.column_text(9);
  e.operation_id = row.column_optional_int64(10);
  return e;
}

}  // namespace

Result<std::int64_t> AuditLog::record(AuditEntry entry) {
  if (entry.at_ms == 0) entry.at_ms = now_();
  // Operation ids start at 1; callers without an operation may pass 0.
  if (entry.operation_id && *entry.operation_id == 0) entry.operation_id.reset();
  if (entry.body_excerpt.size() > kMaxExcerpt) entry.body_excerpt.resize(kMaxExcerpt);
  std::int64_t id = 0;
  auto body = [&]() -> Result<void> {
    DAXD_TRY(check_operation(db_, entry.operation_id));
    DAXD_ASSIGN_OR_RETURN(
        Statement ins,
        db_.prepare(
            "INSERT INTO audit (at_ms, peer_uid, peer_gid, peer_pid, method, path, body_excerpt, "
            "status, result, operation_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
    DAXD_TRY(ins.bind_all(entry.at_ms, widen(entry.peer_uid), widen(entry.peer_gid),
                          widen(entry.peer_pid), entry.method, entry.path, entry.body_excerpt,
                          std::int64_t{entry.status}, entry.result, entry.operation_id));
    DAXD_TRY(ins.run());
    id = db_.last_insert_rowid();
    DAXD_TRY(delete_older(db_, "audit", id, keep_));
    return Ok();
  };
  DAXD_TRY(write_transaction(db_, body));
  return id;
}

Result<std::vector<AuditEntry>> AuditLog::list(int limit, std::int64_t since_id) {
  std::vector<AuditEntry> out;
  auto body = [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(
        Statement stmt,
        db_.prepare(
            "SELECT id, at_ms, peer_uid, peer_gid, peer_pid, method, path, body_excerpt, status, "
            "result, operation_id FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2"));
    DAXD_TRY(stmt.bind_all(since_id, std::int64_t{limit}));
    for (;;) {
      DAXD_ASSIGN_OR_RETURN(bool has_row, stmt.step());
      if (!has_row) return Ok();
      out.push_back(read_entry(stmt));
    }
  };
  DAXD_TRY(read_transaction(db_, body));
  return out;
}

Result<std::vector<AuditEntry>> AuditLog::newest(int limit, int offset, std::int64_t since_id) {
  std::vector<AuditEntry> out;
  auto body = [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(
        Statement stmt,
        db_.prepare(
            "SELECT id, at_ms, peer_uid, peer_gid, peer_pid, method, path, body_excerpt, status, "
            "result, operation_id FROM audit WHERE id > ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3"));
    DAXD_TRY(stmt.bind_all(since_id, std::int64_t{limit}, std::int64_t{offset}));
    for (;;) {
      DAXD_ASSIGN_OR_RETURN(bool has_row, stmt.step());
      if (!has_row) return Ok();
      out.push_back(read_entry(stmt));
    }
  };
  DAXD_TRY(read_transaction(db_, body));
  return out;
}

Result<std::int64_t> AuditLog::prune(std::size_t keep) {
  std::int64_t deleted = 0;
  auto body = [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(std::int64_t newest,
                          db_.query_int("SELECT COALESCE(MAX(id), 0) FROM audit"));
    DAXD_ASSIGN_OR_RETURN(deleted, delete_older(db_, "audit", newest, keep));
    return Ok();
  };
  DAXD_TRY(write_transaction(db_, body));
  return deleted;
}

}  // namespace daxd::state
