// SPDX-License-Identifier: Apache-2.0
// Database, Statement and Transaction: PRAGMAs, errors, commit and rollback.
#include "state/database.h"

#include <fstream>

#include <gtest/gtest.h>

#include "tests/unit/state/temp_dir.h"

namespace daxd::state {
namespace {

std::int64_t query(Database& db, std::string const& sql) {
  auto r = db.query_int(sql);
  EXPECT_TRUE(r) << sql << ": " << r.error().message;
  return r ? *r : -1;
}

TEST(Database, FileDatabaseUsesWalFullSyncForeignKeysAndBusyTimeout) {
  testing::TempDir dir;
  auto db = Database::open(dir.file("a.db"));
  ASSERT_TRUE(db) << db.error().message;
  auto mode = db->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode);
  ASSERT_TRUE(mode->step().value());
  EXPECT_EQ(mode->column_text(0), "wal");
  EXPECT_EQ(query(*db, "PRAGMA synchronous"), 2);  // FULL
  EXPECT_EQ(query(*db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(query(*db, "PRAGMA busy_timeout"), 5000);
}

TEST(Database, MemoryDatabaseOpens) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(query(*db, "SELECT 40 + 2"), 42);
}

TEST(Database, RefusesAFileThatIsNotADatabase) {
  testing::TempDir dir;
  std::ofstream(dir.file("junk.db")) << "this is not an sqlite database, not at all; "
                                        "it is long enough to have a header of its own\n";
  auto db = Database::open(dir.file("junk.db"));
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, Errc::io_error);
  EXPECT_NE(db.error().message.find("state database"), std::string::npos) << db.error().message;
}

TEST(Database, RefusesAMissingDirectory) {
  testing::TempDir dir;
  auto db = Database::open(dir.file("no/such/dir/a.db"));
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, Errc::io_error);
  EXPECT_NE(db.error().message.find("no/such/dir"), std::string::npos) << db.error().message;
}

TEST(Database, BadSqlIsAnIoErrorWithContext) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db);
  auto stmt = db->prepare("SELEKT 1");
  ASSERT_FALSE(stmt);
  EXPECT_EQ(stmt.error().code, Errc::io_error);
  EXPECT_NE(stmt.error().message.find("SELEKT"), std::string::npos) << stmt.error().message;
}

TEST(Database, StatementBindsAndReadsTypedValues) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("CREATE TABLE t (i INTEGER, s TEXT, n INTEGER)"));
  auto ins = db->prepare("INSERT INTO t VALUES (?1, ?2, ?3)");
  ASSERT_TRUE(ins);
  std::string const text("with\0nul", 8);
  ASSERT_TRUE(ins->bind_all(std::int64_t{-7}, text, std::optional<std::int64_t>()));
  ASSERT_TRUE(ins->run());
  auto sel = db->prepare("SELECT i, s, n FROM t");
  ASSERT_TRUE(sel);
  ASSERT_TRUE(sel->step().value());
  EXPECT_EQ(sel->column_int64(0), -7);
  EXPECT_EQ(sel->column_text(1), text);
  EXPECT_TRUE(sel->column_is_null(2));
  EXPECT_EQ(sel->column_optional_int64(2), std::nullopt);
  EXPECT_FALSE(sel->step().value());
}

TEST(Transaction, RollsBackUnlessCommitted) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("CREATE TABLE t (i INTEGER)"));
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1)"));
  }
  EXPECT_EQ(query(*db, "SELECT count(*) FROM t"), 0);
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (2)"));
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_EQ(query(*db, "SELECT count(*) FROM t"), 1);
}

TEST(Transaction, WriteTransactionRollsBackWhenTheBodyFails) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("CREATE TABLE t (i INTEGER)"));
  auto body = [&]() -> Result<void> {
    DAXD_TRY(db->exec("INSERT INTO t VALUES (1)"));
    return Fail(Errc::internal, "stop");
  };
  auto r = write_transaction(*db, body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "stop");
  EXPECT_EQ(query(*db, "SELECT count(*) FROM t"), 0);
}

}  // namespace
}  // namespace daxd::state
