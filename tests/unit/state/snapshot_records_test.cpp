// SPDX-License-Identifier: Apache-2.0
// Snapshot records in the desired state: put (no-op when identical), get, list, remove, reopen.
#include <gtest/gtest.h>

#include "state/state_store.h"
#include "tests/unit/state/temp_dir.h"

namespace daxd::state {
namespace {

TEST(SnapshotRecords, PutGetListRemove) {
  testing::TempDir dir;
  auto store = open_state(dir.file("daxd.db"));
  ASSERT_TRUE(store) << store.error().message;
  DesiredState& d = (*store)->desired();
  EXPECT_TRUE(d.put_snapshot("db", "nightly", R"({"method":"cow"})").value());
  EXPECT_FALSE(d.put_snapshot("db", "nightly", R"({"method":"cow"})").value()) << "no-op";
  EXPECT_TRUE(d.put_snapshot("db", "nightly", R"({"method":"copy"})").value()) << "replaced";
  ASSERT_TRUE(d.put_snapshot("db", "a", "{}"));
  ASSERT_TRUE(d.put_snapshot("logs", "a", "{}"));

  auto got = d.get_snapshot("db", "nightly");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->volume, "db");
  EXPECT_EQ(got->name, "nightly");
  EXPECT_EQ(got->spec_json, R"({"method":"copy"})");
  EXPECT_GT(got->updated_at_ms, 0);
  auto missing = d.get_snapshot("logs", "nightly");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);

  auto of_db = d.snapshots("db");
  ASSERT_TRUE(of_db);
  ASSERT_EQ(of_db->size(), 2u);
  EXPECT_EQ((*of_db)[0].name, "a");
  EXPECT_EQ((*of_db)[1].name, "nightly");
  EXPECT_EQ(d.snapshots()->size(), 3u) << "all volumes when empty";
  EXPECT_TRUE(d.snapshots("none")->empty());

  EXPECT_TRUE(d.remove_snapshot("db", "a").value());
  EXPECT_FALSE(d.remove_snapshot("db", "a").value()) << "already gone";
  EXPECT_EQ(d.snapshots("db")->size(), 1u);
}

TEST(SnapshotRecords, SurviveReopen) {
  testing::TempDir dir;
  std::string const path = dir.file("daxd.db");
  {
    auto store = open_state(path);
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE((*store)->desired().put_snapshot("db", "n", R"({"x":1})"));
  }
  auto store = open_state(path);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->desired().get_snapshot("db", "n")->spec_json, R"({"x":1})");
}

}  // namespace
}  // namespace daxd::state
