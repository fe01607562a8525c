// SPDX-License-Identifier: Apache-2.0
// The operation-time histograms and snapshot gauges of /metrics (fed from the journal and the
// desired state), and the snapshot events derived from completed snapshot operations.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/metrics.h"
#include "api/routes.h"
#include "api/snapshot_events.h"
#include "daemon/model/json.h"
#include "tests/unit/api_snapshots/snapshot_api_env.h"

namespace daxd::api::testing {
namespace {

using nlohmann::json;

Operation finished(std::int64_t id, std::string type, std::int64_t stopped, std::int64_t frozen,
                   OperationState state = OperationState::completed) {
  Operation op;
  op.id = id;
  op.type = std::move(type);
  op.state = state;
  op.stopped_ms = stopped;
  op.frozen_ms = frozen;
  return op;
}

bool has_line(std::string const& text, std::string const& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(OperationTimes, BucketsSumAndCountInPrometheusForm) {
  OperationTimes times;
  times.observe({finished(1, "create-snapshot", 40, 12), finished(2, "create-snapshot", 300, 0),
                 finished(3, "set-dax", 7000, 0), finished(4, "create-namespace", 0, 0)});
  std::string const text = times.render();
  for (char const* line :
       {"# TYPE daxd_operation_stopped_seconds histogram",
        "# TYPE daxd_operation_frozen_seconds histogram",
        "daxd_operation_stopped_seconds_bucket{type=\"create-snapshot\",le=\"0.01\"} 0",
        "daxd_operation_stopped_seconds_bucket{type=\"create-snapshot\",le=\"0.05\"} 1",
        "daxd_operation_stopped_seconds_bucket{type=\"create-snapshot\",le=\"0.25\"} 1",
        "daxd_operation_stopped_seconds_bucket{type=\"create-snapshot\",le=\"0.5\"} 2",
        "daxd_operation_stopped_seconds_bucket{type=\"create-snapshot\",le=\"30\"} 2",
        "daxd_operation_stopped_seconds_bucket{type=\"create-snapshot\",le=\"+Inf\"} 2",
        "daxd_operation_stopped_seconds_sum{type=\"create-snapshot\"} 0.340",
        "daxd_operation_stopped_seconds_count{type=\"create-snapshot\"} 2",
        "daxd_operation_stopped_seconds_bucket{type=\"set-dax\",le=\"5\"} 0",
        "daxd_operation_stopped_seconds_bucket{type=\"set-dax\",le=\"10\"} 1",
        "daxd_operation_frozen_seconds_bucket{type=\"create-snapshot\",le=\"0.01\"} 0",
        "daxd_operation_frozen_seconds_bucket{type=\"create-snapshot\",le=\"0.05\"} 1",
        "daxd_operation_frozen_seconds_count{type=\"create-snapshot\"} 1"}) {
    EXPECT_TRUE(has_line(text, line)) << line << " in\n" << text;
  }
  EXPECT_EQ(text.find("create-namespace"), std::string::npos) << "it stopped nothing";
  EXPECT_EQ(text.find("frozen_seconds_bucket{type=\"set-dax\""), std::string::npos);
  EXPECT_EQ(times.floor(), 4);
}

TEST(OperationTimes, EachOperationCountsOnceAndOnlyWhenFinal) {
  OperationTimes times;
  times.observe({finished(1, "set-dax", 100, 0),
                 finished(2, "set-dax", 0, 0, OperationState::running),
                 finished(3, "set-dax", 200, 0, OperationState::rolled_back)});
  EXPECT_EQ(times.floor(), 1) << "operation 2 still runs";
  std::string const count = "daxd_operation_stopped_seconds_count{type=\"set-dax\"} ";
  EXPECT_TRUE(has_line(times.render(), count + "2"));
  times.observe({finished(2, "set-dax", 300, 0),
                 finished(3, "set-dax", 200, 0, OperationState::rolled_back)});
  EXPECT_TRUE(has_line(times.render(), count + "3")) << times.render();
  EXPECT_EQ(times.floor(), 3);
  times.observe({finished(1, "set-dax", 100, 0), finished(3, "set-dax", 200, 0)});
  EXPECT_TRUE(has_line(times.render(), count + "3")) << "nothing is counted twice";
}

TEST(OperationTimes, EmptyStillDeclaresTheHistograms) {
  std::string const text = OperationTimes().render();
  EXPECT_TRUE(has_line(text, "# TYPE daxd_operation_stopped_seconds histogram"));
  EXPECT_TRUE(has_line(text, "# TYPE daxd_operation_frozen_seconds histogram"));
  EXPECT_EQ(prometheus_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(SnapshotEvents, CompletedSnapshotOperationsAnnounceTheirSnapshot) {
  Operation op = finished(9, "create-snapshot", 40, 12);
  op.request = R"({"name":"n1","volume":{"name":"db","size":1},"snapshot":{"name":"n1",)"
               R"("volume":"db","method":"copy"},"method_reason":"fits"})";
  auto const created = snapshot_event(op);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->type, "snapshot-created");
  EXPECT_EQ(created->object, "snapshot/db@n1");
  EXPECT_EQ(created->data, json::parse(R"({"volume":"db","snapshot":"n1","method":"copy",
                                           "operation":9,"stopped_ms":40,"frozen_ms":12})"));
  op.type = "destroy-snapshot";
  EXPECT_EQ(snapshot_event(op)->type, "snapshot-deleted");
  op.type = "restore-snapshot";
  EXPECT_EQ(snapshot_event(op)->type, "snapshot-restored");

  op.type = "mount-snapshot";
  EXPECT_FALSE(snapshot_event(op)) << "mounts are operation events only";
  op.type = "create-snapshot";
  op.state = OperationState::rolled_back;
  EXPECT_FALSE(snapshot_event(op));
  op.state = OperationState::completed;
  op.request = "{}";
  EXPECT_FALSE(snapshot_event(op)) << "no names, no event";
}

TEST(SnapshotEvents, OnlyCompletedSnapshotOperationEventsQualify) {
  orchestrator::Event e{"operation", "operation/9",
                        json{{"id", 9}, {"type", "create-snapshot"}, {"state", "completed"}}};
  EXPECT_TRUE(announces_snapshot_change(e));
  e.data["state"] = "running";
  EXPECT_FALSE(announces_snapshot_change(e));
  e.data["state"] = "completed";
  e.data["type"] = "set-dax";
  EXPECT_FALSE(announces_snapshot_change(e));
  e.data["type"] = "restore-snapshot";
  e.type = "device-removed";
  EXPECT_FALSE(announces_snapshot_change(e));
}

TEST(SnapshotMetrics, MetricsReadTheJournalAndTheStoredSnapshots) {
  SnapshotApiEnv env("metrics");
  auto& journal = env.state->journal();
  Operation draft;
  draft.type = "create-snapshot";
  draft.target = "snapshot/vol@n1";
  auto const id = journal.begin(draft);
  ASSERT_TRUE(id);
  ASSERT_TRUE(journal.record_times(*id, 1234, 56));
  ASSERT_TRUE(journal.set_state(*id, OperationState::completed));
  ASSERT_TRUE(env.state->desired().put_snapshot("vol", "n1",
                                                R"({"name":"n1","volume":"vol",)"
                                                R"("method":"copy"})"));
  ASSERT_TRUE(env.state->desired().put_snapshot("vol", "c1",
                                                R"({"name":"c1","volume":"vol",)"
                                                R"("method":"cow"})"));
  ASSERT_TRUE(env.state->desired().put_snapshot("vol", "c2",
                                                R"({"name":"c2","volume":"vol",)"
                                                R"("method":"cow"})"));
  for (int scrape = 0; scrape < 2; ++scrape) {
    auto const res = env.call("GET", "/metrics");
    ASSERT_EQ(res.status, 200U);
    for (char const* line :
         {"daxd_operation_stopped_seconds_bucket{type=\"create-snapshot\",le=\"1\"} 0",
          "daxd_operation_stopped_seconds_bucket{type=\"create-snapshot\",le=\"2.5\"} 1",
          "daxd_operation_stopped_seconds_sum{type=\"create-snapshot\"} 1.234",
          "daxd_operation_stopped_seconds_count{type=\"create-snapshot\"} 1",
          "daxd_operation_frozen_seconds_bucket{type=\"create-snapshot\",le=\"0.1\"} 1",
          "# TYPE daxd_snapshots gauge", "daxd_snapshots{volume=\"vol\",method=\"copy\"} 1",
          "daxd_snapshots{volume=\"vol\",method=\"cow\"} 2"}) {
      EXPECT_TRUE(has_line(res.body, line)) << "scrape " << scrape << ": " << line << " in\n"
                                            << res.body;
    }
  }
}

TEST(SnapshotOpenApi, DocumentsTheRoutesAndEveryFieldOfASnapshot) {
  auto const doc = json::parse(openapi_document(), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  auto const& paths = doc.at("paths");
  for (auto const& [path, method] : std::initializer_list<std::pair<char const*, char const*>>{
           {"/v1/volumes/{name}/snapshots", "get"},
           {"/v1/volumes/{name}/snapshots", "post"},
           {"/v1/volumes/{name}/snapshots/{snapshot}", "get"},
           {"/v1/volumes/{name}/snapshots/{snapshot}", "delete"},
           {"/v1/volumes/{name}/snapshots/{snapshot}", "patch"},
           {"/v1/volumes/{name}/snapshots/{snapshot}/restore", "post"}}) {
    EXPECT_TRUE(paths.contains(path) && paths.at(path).contains(method)) << method << " " << path;
  }
  Snapshot s;
  s.name = "n1";
  s.volume = "db";
  s.dm_name = "daxd-db@n1";
  s.extents = {Extent{"s", 0, 1}};
  s.store_size = 1;
  s.mountpoint = "/mnt/n1";
  s.operation_id = 9;
  s.stopped_ms = 1;
  s.frozen_ms = 1;
  auto const& schemas = doc.at("components").at("schemas");
  json const served = s;
  for (auto const& [key, value] : served.items()) {
    EXPECT_TRUE(schemas.at("Snapshot").at("properties").contains(key)) << key;
  }
  EXPECT_TRUE(schemas.at("Volume").at("properties").contains("reason"));
}

}  // namespace
}  // namespace daxd::api::testing
