// SPDX-License-Identifier: Apache-2.0
// The snapshot verbs of daxadm against the real daxd on the sim host: copy and cow snapshots of
// a mounted DAX volume, list -VS, a read-only mount, destroy, restore, the snapshot events, and
// the operation-time histograms and snapshot gauges of /metrics.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/client/client.h"
#include "tests/integration/daemon_cli/daxd_process.h"

namespace daxd::testing {
namespace {

using nlohmann::json;

class SnapshotsCli : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daxd_.ready()) << "daxd did not start:\n" << daxd_.log(); }

  RunResult daxadm(std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", daxd_.socket()});
    return run_daxadm(args);
  }

  /// Runs a verb that must succeed and print one JSON document; `summary` is its stderr.
  json ok_json(std::vector<std::string> args, std::string const& summary) {
    auto const r = daxadm(args);
    EXPECT_EQ(r.exit_code, 0) << args.front() << ": " << r.err << daxd_.log();
    EXPECT_EQ(r.err, summary) << args.front();
    auto doc = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << args.front() << ": " << r.out;
    return doc;
  }

  std::string http_get(std::string const& target) {
    api_client::Client client(daxd_.socket());
    auto r = client.request("GET", target);
    EXPECT_TRUE(r) << r.error().message;
    if (!r) return {};
    EXPECT_EQ(r->status, 200U) << r->body;
    return r->body;
  }

  /// The volume "vol" over namespace "a", ext4 mounted at /mnt/vol with dax=always, and the
  /// store namespaces "s" (a whole copy fits) and "c" (a cow store).
  void make_volume() {
    for (auto const& [name, region, size] :
         {std::tuple{"a", "region0", "256M"}, std::tuple{"s", "region1", "512M"},
          std::tuple{"c", "region1", "64M"}}) {
      auto const r = daxadm({"create-namespace", "-r", region, "-s", size, "-n", name});
      ASSERT_EQ(r.exit_code, 0) << r.err << daxd_.log();
    }
    auto const v = daxadm(
        {"create-volume", "vol", "-n", "a", "-t", "ext4", "-m", "/mnt/vol", "--dax", "always"});
    ASSERT_EQ(v.exit_code, 0) << v.err << daxd_.log();
  }

  DaxdProcess daxd_;
};

TEST_F(SnapshotsCli, CopyAndCowListMountDestroyRestoreAndMetrics) {
  ASSERT_NO_FATAL_FAILURE(make_volume());

  auto const plan = daxadm({"create-snapshot", "vol", "n1", "-n", "s", "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err << daxd_.log();
  EXPECT_EQ(plan.err.rfind("would create 1 snapshot\nmethod copy", 0), 0u) << plan.err;
  EXPECT_NE(plan.err.find("expected stop "), std::string::npos) << plan.err;

  json const copy =
      ok_json({"create-snapshot", "vol", "n1", "-m", "copy", "-n", "s"}, "created 1 snapshot\n");
  EXPECT_EQ(copy.value("method", ""), "copy") << copy.dump();
  EXPECT_EQ(copy.value("dax_capable", false), true);
  EXPECT_EQ(copy.value("state", ""), "active");
  auto const again = daxadm({"create-snapshot", "vol", "n1", "-m", "copy", "-n", "s"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err, "snapshot vol@n1 already exists, unchanged\n");
  auto const clash = daxadm({"create-snapshot", "vol", "n1", "-m", "cow", "-n", "c"});
  EXPECT_EQ(clash.exit_code, 1) << "same name, another spec: " << clash.err;

  json const cow =
      ok_json({"create-snapshot", "vol", "c1", "-m", "cow", "-n", "c"}, "created 1 snapshot\n");
  EXPECT_EQ(cow.value("method", ""), "cow") << cow.dump();
  EXPECT_EQ(cow.value("dax_capable", true), false);

  json const tree = ok_json({"list", "-VS"}, "");
  json const volumes = tree.value("volumes", json::array());
  ASSERT_EQ(volumes.size(), 1u) << "two kinds: ndctl's platform object: " << tree.dump();
  json const snaps = volumes.at(0).value("snapshots", json::array());
  ASSERT_EQ(snaps.size(), 2u) << tree.dump();
  EXPECT_EQ(volumes.at(0).value("dax_capable", true), false) << "a cow snapshot suspends DAX";
  auto const table = daxadm({"--human", "list", "-S"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  for (char const* cell : {"STOPPED_MS", "n1", "c1", "copy", "cow"}) {
    EXPECT_NE(table.out.find(cell), std::string::npos) << cell << " in\n" << table.out;
  }

  json const mounted = ok_json({"mount-snapshot", "vol", "n1", "/mnt/n1"}, "mounted 1 snapshot\n");
  EXPECT_EQ(mounted.value("mountpoint", ""), "/mnt/n1");
  auto const unmounted = daxadm({"unmount-snapshot", "vol", "n1"});
  EXPECT_EQ(unmounted.exit_code, 0) << unmounted.err << daxd_.log();
  EXPECT_EQ(unmounted.err, "unmounted 1 snapshot\n");

  auto const destroyed = daxadm({"destroy-snapshot", "vol", "c1"});
  ASSERT_EQ(destroyed.exit_code, 0) << destroyed.err << daxd_.log();
  EXPECT_EQ(destroyed.err, "destroyed 1 snapshot\n");
  json const volume = ok_json({"list", "-V"}, "");
  ASSERT_TRUE(volume.is_array()) << volume.dump();
  EXPECT_EQ(volume.at(0).value("dax_capable", false), true) << "the last cow snapshot went";

  json const restored = ok_json({"restore-snapshot", "vol", "n1"}, "restored 1 snapshot\n");
  EXPECT_EQ(restored.value("name", ""), "vol") << restored.dump();
  EXPECT_EQ(daxadm({"list", "-S"}).out, "") << "the restored snapshot is consumed";
  auto const gone = daxadm({"destroy-snapshot", "vol", "n1"});
  EXPECT_EQ(gone.exit_code, 1);

  std::string const metrics = http_get("/metrics");
  for (char const* line :
       {"# TYPE daxd_operation_stopped_seconds histogram",
        "# TYPE daxd_operation_frozen_seconds histogram", "# TYPE daxd_snapshots gauge"}) {
    EXPECT_NE(metrics.find(line), std::string::npos) << line << " in\n" << metrics;
  }
  // Every operation that recorded a stop is in the histogram of its type.
  json const ops = json::parse(http_get("/v1/operations"), nullptr, false);
  ASSERT_TRUE(ops.is_array()) << ops.dump();
  for (auto const& op : ops) {
    if (op.value("stopped_ms", 0) <= 0) continue;
    std::string const series =
        "daxd_operation_stopped_seconds_count{type=\"" + op.value("type", "") + "\"}";
    EXPECT_NE(metrics.find(series), std::string::npos) << series << " in\n" << metrics;
  }
}

TEST_F(SnapshotsCli, EventsAnnounceSnapshotsAndGaugesCountThem) {
  ASSERT_NO_FATAL_FAILURE(make_volume());
  ok_json({"create-snapshot", "vol", "n1", "-m", "copy", "-n", "s"}, "created 1 snapshot\n");
  std::string const metrics = http_get("/metrics");
  EXPECT_NE(metrics.find("daxd_snapshots{volume=\"vol\",method=\"copy\"} 1\n"), std::string::npos)
      << metrics;
  auto const destroyed = daxadm({"destroy-snapshot", "vol", "n1"});
  ASSERT_EQ(destroyed.exit_code, 0) << destroyed.err << daxd_.log();

  DaxadmProcess created({"--socket", daxd_.socket(), "events", "--since", "0", "--type",
                         "snapshot-created", "-c", "1"});
  auto const c = created.finish(15);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  json const line = json::parse(c.out.substr(0, c.out.find('\n')), nullptr, false);
  ASSERT_FALSE(line.is_discarded()) << c.out;
  EXPECT_NE(c.out.find("snapshot-created"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("\"snapshot\":\"n1\""), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("\"method\":\"copy\""), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("\"stopped_ms\""), std::string::npos) << c.out;
  DaxadmProcess deleted({"--socket", daxd_.socket(), "events", "--since", "0", "--type",
                         "snapshot-deleted", "-c", "1"});
  auto const d = deleted.finish(15);
  EXPECT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("\"volume\":\"vol\""), std::string::npos) << d.out;
  EXPECT_EQ(http_get("/metrics").find("daxd_snapshots{"), std::string::npos)
      << "no snapshot is left";
}

}  // namespace
}  // namespace daxd::testing
