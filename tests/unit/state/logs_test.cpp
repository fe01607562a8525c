// SPDX-License-Identifier: Apache-2.0
// Audit log, event log and desired state: append, list, prune, upsert.
#include <gtest/gtest.h>

#include "state/state_store.h"

namespace daxd::state {
namespace {

class LogsTest : public ::testing::Test {
 protected:
  void open(std::size_t keep) {
    StateOptions options;
    options.now = [this] { return ++clock_ms_; };
    options.events_keep = keep;
    options.audit_keep = keep;
    auto s = open_state(":memory:", options);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }

  std::int64_t clock_ms_ = 0;
  std::unique_ptr<StateStore> store_;
};

TEST_F(LogsTest, AuditRecordsAndListsSinceAnId) {
  open(100);
  AuditEntry a;
  a.peer_uid = 0;
  a.peer_gid = 995;
  a.peer_pid = 1234;
  a.method = "POST";
  a.path = "/v1/volumes";
  a.body_excerpt = std::string(5000, 'x');
  a.status = 202;
  a.result = "ok";
  auto id1 = store_->audit().record(a);
  ASSERT_TRUE(id1) << id1.error().message;
  AuditEntry b;  // a TCP request: no peer credentials
  b.method = "GET";
  b.path = "/v1/regions";
  b.status = 200;
  b.at_ms = 77;
  b.operation_id = 0;  // "no operation" as the API layer says it
  auto id2 = store_->audit().record(b).value();

  auto all = store_->audit().list(10).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, *id1);
  EXPECT_EQ(all[0].peer_uid, 0u);
  EXPECT_EQ(all[0].peer_gid, 995u);
  EXPECT_EQ(all[0].peer_pid, 1234);
  EXPECT_EQ(all[0].body_excerpt.size(), AuditLog::kMaxExcerpt);
  EXPECT_GT(all[0].at_ms, 0);
  EXPECT_EQ(all[1].id, id2);
  EXPECT_EQ(all[1].peer_uid, std::nullopt);
  EXPECT_EQ(all[1].operation_id, std::nullopt);
  EXPECT_EQ(all[1].at_ms, 77);
  auto later = store_->audit().list(10, /*since_id=*/*id1).value();
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].path, "/v1/regions");
}

TEST_F(LogsTest, AuditRefusesAnUnknownOperation) {
  open(100);
  AuditEntry a;
  a.method = "POST";
  a.path = "/v1/volumes";
  a.status = 202;
  a.operation_id = 99;
  auto r = store_->audit().record(a);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST_F(LogsTest, AuditKeepsTheNewestEntries) {
  open(3);
  AuditEntry a;
  a.method = "GET";
  a.status = 200;
  for (int i = 0; i < 5; ++i) {
    a.path = "/v1/p" + std::to_string(i);
    ASSERT_TRUE(store_->audit().record(a));
  }
  auto all = store_->audit().list(10).value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.front().path, "/v1/p2");
  EXPECT_EQ(store_->audit().prune(1).value(), 2);
  EXPECT_EQ(store_->audit().list(10)->size(), 1u);
}

TEST_F(LogsTest, EventsAppendAndReadSinceAnId) {
  open(100);
  auto e1 = store_->events().append("volume.created", "volume/db", R"({"size":1})").value();
  auto e2 = store_->events().append("operation.completed", "operation/1", "{}").value();
  EXPECT_GT(e2, e1);
  auto all = store_->events().since(0, 10).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], (Event{e1, all[0].at_ms, "volume.created", "volume/db", R"({"size":1})"}));
  EXPECT_GT(all[0].at_ms, 0);
  auto after = store_->events().since(e1, 10).value();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].id, e2);
  EXPECT_EQ(store_->events().since(0, 1)->size(), 1u);
  EXPECT_TRUE(store_->events().since(e2, 10)->empty());
}

TEST_F(LogsTest, EventsArePrunedToTheNewestAndIdsNeverReused) {
  open(4);
  std::int64_t last = 0;
  for (int i = 0; i < 10; ++i) last = store_->events().append("t", "o", "{}").value();
  auto kept = store_->events().since(0, 100).value();
  ASSERT_EQ(kept.size(), 4u);
  EXPECT_EQ(kept.front().id, last - 3);
  EXPECT_EQ(store_->events().oldest_id().value(), last - 3);
  EXPECT_EQ(store_->events().prune(0).value(), 4);
  EXPECT_EQ(store_->events().oldest_id().value(), 0);
  EXPECT_EQ(store_->events().last_id().value(), last);
  EXPECT_EQ(store_->events().append("t", "o", "{}").value(), last + 1);
}

TEST_F(LogsTest, DesiredVolumesPutGetListRemove) {
  open(100);
  EXPECT_TRUE(store_->desired().put("db", R"({"size":1})").value());
  EXPECT_FALSE(store_->desired().put("db", R"({"size":1})").value());  // same spec: no change
  EXPECT_TRUE(store_->desired().put("db", R"({"size":2})").value());
  EXPECT_TRUE(store_->desired().put("app", R"({"size":3})").value());
  EXPECT_EQ(store_->desired().get("db")->spec_json, R"({"size":2})");
  EXPECT_EQ(store_->desired().get("nope").error().code, Errc::not_found);
  auto all = store_->desired().list().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "app");
  ASSERT_TRUE(store_->desired().add_hook("db", "exec", R"({"path":"/bin/true"})"));
  EXPECT_TRUE(store_->desired().remove("db").value());
  EXPECT_FALSE(store_->desired().remove("db").value());
  EXPECT_TRUE(store_->desired().hooks("db")->empty());
  EXPECT_EQ(store_->desired().list()->size(), 1u);
}

TEST_F(LogsTest, HooksAndNameCache) {
  open(100);
  auto h1 = store_->desired().add_hook("db", "exec", R"({"path":"/usr/bin/flush"})").value();
  auto h2 = store_->desired().add_hook("app", "http", R"({"url":"http://x"})").value();
  EXPECT_EQ(store_->desired().hooks("db")->size(), 1u);
  EXPECT_EQ(store_->desired().hooks()->size(), 2u);
  ASSERT_TRUE(store_->desired().remove_hook(h1));
  EXPECT_EQ(store_->desired().remove_hook(h1).error().code, Errc::not_found);
  EXPECT_EQ(store_->desired().hooks()->front().id, h2);

  ResourceName n{"namespace", "db", "namespace0.1", "uuid-1"};
  ASSERT_TRUE(store_->desired().put_name(n));
  n.kernel_dev = "namespace0.2";
  ASSERT_TRUE(store_->desired().put_name(n));
  EXPECT_EQ(store_->desired().find_name("namespace", "db").value(), n);
  EXPECT_EQ(store_->desired().find_by_dev("namespace", "namespace0.2")->value().name, "db");
  EXPECT_EQ(store_->desired().find_by_dev("namespace", "namespace0.1").value(), std::nullopt);
  EXPECT_EQ(store_->desired().names("namespace")->size(), 1u);
  EXPECT_TRUE(store_->desired().remove_name("namespace", "db").value());
  EXPECT_FALSE(store_->desired().remove_name("namespace", "db").value());
}

}  // namespace
}  // namespace daxd::state
