// SPDX-License-Identifier: Apache-2.0
// Schema migrations: from empty to latest, idempotence, refusal of a newer schema.
#include "state/migrations.h"

#include <array>

#include <gtest/gtest.h>

#include "state/state_store.h"
#include "tests/unit/state/temp_dir.h"

namespace daxd::state {
namespace {

bool has_table(Database& db, std::string const& name) {
  auto stmt = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1");
  EXPECT_TRUE(stmt);
  EXPECT_TRUE(stmt->bind(1, name));
  EXPECT_TRUE(stmt->step().value());
  return stmt->column_int64(0) == 1;
}

TEST(Migrations, BringAnEmptyDatabaseToTheLatestSchema) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db);
  EXPECT_EQ(schema_version(*db).value(), 0);
  auto v = migrate(*db);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(*v, latest_schema_version());
  EXPECT_EQ(schema_version(*db).value(), latest_schema_version());
  for (auto const* table : {"operations", "operation_steps", "audit", "events", "desired_volumes",
                            "hooks", "resource_names"}) {
    EXPECT_TRUE(has_table(*db, table)) << table;
  }
}

TEST(Migrations, VersionsAreConsecutiveFromOne) {
  int expected = 1;
  for (Migration const& m : builtin_migrations()) EXPECT_EQ(m.version, expected++);
  EXPECT_EQ(latest_schema_version(), expected - 1);
}

TEST(Migrations, SecondRunChangesNothing) {
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db);
  ASSERT_TRUE(migrate(*db));
  auto v = migrate(*db);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(*v, latest_schema_version());
}

TEST(Migrations, ApplyOnlyTheMissingOnesInOrder) {
  constexpr std::array kV1 = {Migration{1, "CREATE TABLE a (x INTEGER)"}};
  constexpr std::array kV3 = {Migration{1, "CREATE TABLE a (x INTEGER)"},
                              Migration{2, "ALTER TABLE a ADD COLUMN y INTEGER"},
                              Migration{3, "CREATE TABLE b AS SELECT y FROM a"}};
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db);
  EXPECT_EQ(migrate(*db, kV1).value(), 1);
  auto v = migrate(*db, kV3);
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(*v, 3);
  EXPECT_TRUE(has_table(*db, "b"));
}

TEST(Migrations, AFailedMigrationLeavesTheLastGoodVersion) {
  constexpr std::array kBad = {Migration{1, "CREATE TABLE a (x INTEGER)"},
                               Migration{2, "CREATE TABLE c (x INTEGER); SELEKT"}};
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db);
  auto v = migrate(*db, kBad);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::io_error);
  EXPECT_NE(v.error().message.find("migration to schema 2"), std::string::npos)
      << v.error().message;
  EXPECT_EQ(schema_version(*db).value(), 1);
  EXPECT_TRUE(has_table(*db, "a"));
  EXPECT_FALSE(has_table(*db, "c"));
}

TEST(Migrations, RefuseADatabaseNewerThanTheBinary) {
  constexpr std::array kV5 = {Migration{1, "SELECT 1"}, Migration{2, "SELECT 1"},
                              Migration{3, "SELECT 1"}, Migration{4, "SELECT 1"},
                              Migration{5, "SELECT 1"}};
  auto db = Database::open(":memory:");
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec("PRAGMA user_version=7"));
  auto v = migrate(*db, kV5);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::unsupported);
  EXPECT_EQ(v.error().message, "state database schema 7 is newer than this daxd (5)");
  EXPECT_EQ(schema_version(*db).value(), 7);
}

TEST(Migrations, OpenStateRefusesANewerFile) {
  testing::TempDir dir;
  std::string const path = dir.file("daxd.db");
  {
    auto db = Database::open(path);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec("PRAGMA user_version=" + std::to_string(latest_schema_version() + 1)));
  }
  auto store = open_state(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::unsupported);
}

}  // namespace
}  // namespace daxd::state
