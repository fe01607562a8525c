// SPDX-License-Identifier: Apache-2.0
// RAII owners of a SQLite connection, a prepared statement and a transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/model/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace daxd::state {

/// Milliseconds since the unix epoch; injected so that tests control timestamps.
using NowMs = std::function<std::int64_t()>;
/// The real wall clock.
std::int64_t wall_clock_ms();

class Statement;

/// One SQLite connection, opened with WAL, synchronous=FULL, foreign_keys=ON and
/// busy_timeout=5000.
///
/// Thread safety: the connection is opened in serialized mode (SQLITE_OPEN_FULLMUTEX) and a
/// per-Database mutex is held by every Transaction, so one Database may be shared by several
/// threads as long as each multi-statement unit of work runs inside a Transaction (all of
/// state/ does). Other processes or connections on the same file wait up to busy_timeout.
class Database {
 public:
  /// Opens (creating if needed) the database at `path`; ":memory:" gives a private in-memory one.
  /// Errors: io_error (cannot open, not a database, a PRAGMA failed).
  static Result<Database> open(std::string const& path);

  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;
  ~Database() = default;

  /// Runs one or more SQL statements with no parameters and no result rows.
  /// Errors: io_error.
  Result<void> exec(std::string_view sql);
  /// Compiles one statement. Errors: io_error.
  Result<Statement> prepare(std::string_view sql);
  /// Runs a one-row, one-column query and returns the integer it yields.
  /// Errors: io_error, not_found (no row).
  Result<std::int64_t> query_int(std::string_view sql);

  std::int64_t last_insert_rowid() const;
  /// Rows changed by the most recent INSERT/UPDATE/DELETE.
  std::int64_t changes() const;
  std::string const& path() const { return path_; }
  sqlite3* handle() const { return db_.get(); }
  std::mutex& mutex() const { return *mu_; }

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  Database(std::unique_ptr<sqlite3, Closer> db, std::string path);

  std::unique_ptr<sqlite3, Closer> db_;
  std::unique_ptr<std::mutex> mu_;
  std::string path_;
};

/// A prepared statement with typed bind (1-based) and column (0-based) helpers.
class Statement {
 public:
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;
  ~Statement() = default;

  Result<void> bind(int index, std::int64_t value);
  Result<void> bind(int index, std::string_view value);
  Result<void> bind(int index, std::optional<std::int64_t> value);
  Result<void> bind(int index, std::optional<std::string_view> value);
  Result<void> bind(int index, std::string const& value) {
    return bind(index, std::string_view(value));
  }
  Result<void> bind(int index, char const* value) { return bind(index, std::string_view(value)); }
  Result<void> bind_null(int index);
  /// Binds `values` to parameters 1..n in order.
  template <typename... Args>
  Result<void> bind_all(Args&&... values) {
    int index = 0;
    Result<void> result;
    auto one = [&](auto&& value) {
      if (result) result = bind(++index, std::forward<decltype(value)>(value));
    };
    static_cast<void>(one);  // unused when there is nothing to bind
    (one(std::forward<Args>(values)), ...);
    return result;
  }

  /// Advances: true when a row is available, false when the statement is done.
  /// Errors: io_error (including SQLITE_BUSY after busy_timeout).
  Result<bool> step();
  /// Steps a statement that returns no rows. Errors: io_error.
  Result<void> run();
  /// Rewinds the statement and clears its bindings for another run.
  void reset();

  std::int64_t column_int64(int column) const;
  std::optional<std::int64_t> column_optional_int64(int column) const;
  std::string column_text(int column) const;
  bool column_is_null(int column) const;

 private:
  friend class Database;
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Unexpected fail(std::string_view what) const;

  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

/// A transaction holding the Database's mutex; rolled back in the destructor unless committed.
class Transaction {
 public:
  enum class Mode { deferred, immediate };

  /// BEGIN IMMEDIATE (takes the write lock now, waiting up to busy_timeout) or BEGIN DEFERRED
  /// (for consistent multi-statement reads). Errors: io_error.
  static Result<Transaction> begin(Database& db, Mode mode = Mode::immediate);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(Transaction const&) = delete;
  ~Transaction();

  /// COMMIT; with synchronous=FULL the change is durable when this returns. Errors: io_error.
  Result<void> commit();

 private:
  Transaction(Database& db, std::unique_lock<std::mutex> lock) : db_(&db), lock_(std::move(lock)) {}

  Database* db_;
  std::unique_lock<std::mutex> lock_;
  bool active_ = true;
};

/// Runs `body` (returning Result<void>) inside a write transaction and commits it.
template <typename F>
Result<void> write_transaction(Database& db, F&& body) {
  DAXD_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db, Transaction::Mode::immediate));
  DAXD_TRY(std::forward<F>(body)());
  return tx.commit();
}

/// Runs `body` (returning Result<void>) inside a read transaction: one consistent snapshot.
template <typename F>
Result<void> read_transaction(Database& db, F&& body) {
  DAXD_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db, Transaction::Mode::deferred));
  DAXD_TRY(std::forward<F>(body)());
  return tx.commit();
}

}  // namespace daxd::state
