// SPDX-License-Identifier: Apache-2.0
// SQLite connection, statement and transaction wrappers; the only place that calls sqlite3_*.
#include "state/database.h"

#include <sqlite3.h>

#include <chrono>
#include <thread>

namespace daxd::state {
namespace {

Unexpected sqlite_fail(sqlite3* db, std::string_view what) {
  std::string msg = "state database: ";
  msg += what;
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  return Fail(Errc::io_error, std::move(msg));
}

// Switching a fresh file to WAL can answer SQLITE_BUSY at once, without the busy handler, while
// another connection is opening or recovering the same file; so retry it up to busy_timeout.
Result<std::string> enable_wal(sqlite3* db) {
  using namespace std::chrono;
  auto const deadline = steady_clock::now() + milliseconds(5000);
  for (;;) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &raw, nullptr);
    std::string mode;
    if (rc == SQLITE_OK) {
      rc = sqlite3_step(raw);
      if (rc == SQLITE_ROW) {
        auto const* text = reinterpret_cast<char const*>(sqlite3_column_text(raw, 0));
        mode = text != nullptr ? text : "";
        rc = SQLITE_OK;
      }
    }
    sqlite3_finalize(raw);
    if (rc == SQLITE_OK || rc == SQLITE_DONE) return mode;
    bool const busy = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
    if (!busy || steady_clock::now() >= deadline) {
      return sqlite_fail(db, "cannot run 'PRAGMA journal_mode=WAL'");
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
}

}  // namespace

std::int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void Database::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Database::Database(std::unique_ptr<sqlite3, Closer> db, std::string path)
    : db_(std::move(db)), mu_(std::make_unique<std::mutex>()), path_(std::move(path)) {}

Result<Database> Database::open(std::string const& path) {
  sqlite3* raw = nullptr;
  int const flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  int const rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  // sqlite3_open_v2 hands out a handle even on failure; it must be closed either way.
  std::unique_ptr<sqlite3, Closer> owned(raw);
  if (rc != SQLITE_OK) return sqlite_fail(raw, "cannot open " + path);
  sqlite3_extended_result_codes(raw, 1);
  Database db(std::move(owned), path);
  // busy_timeout first: switching to WAL needs a lock another process may hold.
  DAXD_TRY(db.exec("PRAGMA busy_timeout=5000"));
  DAXD_ASSIGN_OR_RETURN(std::string const mode, enable_wal(raw));
  // An in-memory database reports "memory"; every file database must be in WAL.
  if (mode != "wal" && path != ":memory:") {
    return Fail(Errc::io_error,
                "state database: " + path + ": cannot enable WAL (journal mode '" + mode + "')");
  }
  DAXD_TRY(db.exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON"));
  // Reading the schema proves the file is a database (a text file opens without error).
  DAXD_TRY(db.query_int("SELECT count(*) FROM sqlite_schema"));
  return db;
}

Result<void> Database::exec(std::string_view sql) {
  std::string const text(sql);
  char* err = nullptr;
  int const rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Ok();
  std::string msg =
      "state database: " + text.substr(0, 60) + ": " + (err ? err : sqlite3_errstr(rc));
  sqlite3_free(err);
  return Fail(Errc::io_error, std::move(msg));
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int const rc =
      sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  Statement stmt(raw);
  if (rc != SQLITE_OK) return sqlite_fail(db_.get(), "cannot prepare '" + std::string(sql) + "'");
  return stmt;
}

Result<std::int64_t> Database::query_int(std::string_view sql) {
  DAXD_ASSIGN_OR_RETURN(Statement stmt, prepare(sql));
  DAXD_ASSIGN_OR_RETURN(bool has_row, stmt.step());
  if (!has_row)
    return Fail(Errc::not_found, "state database: no row for '" + std::string(sql) + "'");
  return stmt.column_int64(0);
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }

std::int64_t Database::changes() const { return sqlite3_changes64(db_.get()); }

void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Unexpected Statement::fail(std::string_view what) const {
  sqlite3* db = sqlite3_db_handle(stmt_.get());
  std::string context(what);
  if (char const* sql = sqlite3_sql(stmt_.get())) context += std::string(" '") + sql + "'";
  return sqlite_fail(db, context);
}

Result<void> Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_.get(), index, value) != SQLITE_OK) return fail("cannot bind");
  return Ok();
}

Result<void> Statement::bind(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies the text, so the caller's buffer may go away.
  if (sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK) {
    return fail("cannot bind");
  }
  return Ok();
}

Result<void> Statement::bind(int index, std::optional<std::int64_t> value) {
  if (!value) return bind_null(index);
  return bind(index, *value);
}

Result<void> Statement::bind(int index, std::optional<std::string_view> value) {
  if (!value) return bind_null(index);
  return bind(index, *value);
}

Result<void> Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_.get(), index) != SQLITE_OK) return fail("cannot bind");
  return Ok();
}

Result<bool> Statement::step() {
  int const rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail("cannot run");
}

Result<void> Statement::run() {
  // A statement run for its effect may still yield a row (a PRAGMA does); it is not needed.
  DAXD_TRY(step());
  return Ok();
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_.get(), column);
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
  if (column_is_null(column)) return std::nullopt;
  return column_int64(column);
}

std::string Statement::column_text(int column) const {
  auto const* text = sqlite3_column_text(stmt_.get(), column);
  if (text == nullptr) return {};
  auto const size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), column));
  return std::string(reinterpret_cast<char const*>(text), size);
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL;
}

Result<Transaction> Transaction::begin(Database& db, Mode mode) {
  std::unique_lock<std::mutex> lock(db.mutex());
  DAXD_TRY(db.exec(mode == Mode::immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"));
  return Transaction(db, std::move(lock));
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), lock_(std::move(other.lock_)), active_(std::exchange(other.active_, false)) {}

Transaction::~Transaction() {
  if (active_) ignore_result(db_->exec("ROLLBACK"));
}

Result<void> Transaction::commit() {
  assert(active_ && "commit of a finished transaction");
  DAXD_TRY(db_->exec("COMMIT"));
  active_ = false;
  return Ok();
}

}  // namespace daxd::state
