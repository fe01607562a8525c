// SPDX-License-Identifier: Apache-2.0
// The volume verbs of daxadm against the real daxd on the sim host: linear and striped volumes,
// a DAX mode cycle, consumers, a set-dax refused under a MAP_SYNC mapping, and destroy.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/host/sim/sim_control.h"
#include "daemon/host/sim/sim_host.h"
#include "tests/integration/daemon_cli/daxd_process.h"

namespace daxd::testing {
namespace {

using nlohmann::json;
namespace sim = host::sim;

class VolumesCli : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daxd_.ready()) << "daxd did not start:\n" << daxd_.log(); }

  RunResult daxadm(std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", daxd_.socket()});
    return run_daxadm(args);
  }

  /// Runs a verb that must succeed and print one JSON document.
  json ok_json(std::vector<std::string> args) {
    auto const r = daxadm(args);
    EXPECT_EQ(r.exit_code, 0) << args.front() << ": " << r.err << daxd_.log();
    auto doc = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << args.front() << ": " << r.out;
    return doc;
  }

  /// Adds a process to daxd's sim world: daxd reads its state file only at start-up, so it is
  /// stopped, the file edited, and daxd started again.
  void add_sim_process(sim::SimProcess p) {
    ASSERT_EQ(daxd_.stop(), 0) << daxd_.log();
    {
      auto h = sim::SimHost::open((daxd_.dir() / "sim.json").string());
      ASSERT_TRUE(h) << h.error().message;
      auto const added = (*h)->add_process(std::move(p));
      ASSERT_TRUE(added) << added.error().message;
    }
    ASSERT_TRUE(daxd_.restart()) << daxd_.log();
  }

  DaxdProcess daxd_;
};

TEST_F(VolumesCli, LinearAndStripedLifecycleWithDaxCycleAndRefusal) {
  for (auto const& [name, region] : {std::pair{"a", "region0"}, std::pair{"b", "region1"}}) {
    auto const r = daxadm({"create-namespace", "-r", region, "-s", "512M", "-n", name});
    ASSERT_EQ(r.exit_code, 0) << r.err << daxd_.log();
  }

  auto const lin_run = daxadm({"create-volume", "lin", "--extent", "a:0:64M", "-t", "ext4", "-m",
                               "/mnt/lin", "--dax", "always"});
  ASSERT_EQ(lin_run.exit_code, 0) << lin_run.err << daxd_.log();
  EXPECT_EQ(lin_run.err, "created volume lin\n");
  json const lin = json::parse(lin_run.out, nullptr, false);
  EXPECT_EQ(lin.value("layout", ""), "linear") << lin_run.out;
  EXPECT_EQ(lin.value("size", 0ULL), 64ULL << 20);
  EXPECT_EQ(lin.value("state", ""), "active");
  EXPECT_EQ(lin.value("dax", ""), "always");

  auto const again = daxadm({"create-volume", "lin", "--extent", "a:0:64M", "-t", "ext4", "-m",
                             "/mnt/lin", "--dax", "always"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err, "volume lin already exists, unchanged\n");

  json const st = ok_json({"create-volume", "st", "--extent", "a:64M:128M", "--extent",
                           "b:0:128M", "--striped", "-t", "ext4", "-m", "/mnt/st"});
  EXPECT_EQ(st.value("layout", ""), "striped") << st.dump();
  EXPECT_EQ(st.value("size", 0ULL), 256ULL << 20);
  ASSERT_EQ(st.value("extents", json::array()).size(), 2u);

  for (auto const* mode : {"never", "always"}) {
    auto const r = daxadm({"set-dax", "lin", mode});
    ASSERT_EQ(r.exit_code, 0) << mode << ": " << r.err << daxd_.log();
    EXPECT_EQ(r.err, std::string("volume lin now has dax=") + mode + "\n");
    EXPECT_EQ(json::parse(r.out, nullptr, false).value("dax", ""), mode) << r.out;
  }
  auto const same = daxadm({"set-dax", "lin", "always"});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(same.err, "volume lin already has dax=always, unchanged\n");

  json const quiet = ok_json({"consumers", "lin"});
  ASSERT_TRUE(quiet.is_array());
  for (auto const& c : quiet) EXPECT_EQ(c.value("pid", 0), 0) << "no process yet: " << c.dump();

  add_sim_process(sim::process(4242, "pgwal", {sim::mapping("/mnt/lin/wal", /*map_sync=*/true)}));
  auto const refused = daxadm({"set-dax", "lin", "never"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.err.find("pid 4242 (pgwal)"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("(MAP_SYNC)"), std::string::npos) << refused.err;
  bool listed = false;
  for (auto const& c : ok_json({"consumers", "lin"})) listed |= c.value("pid", 0) == 4242;
  EXPECT_TRUE(listed);
  auto const ns_consumers = daxadm({"consumers", "--namespace", "a"});
  EXPECT_EQ(ns_consumers.exit_code, 0) << ns_consumers.err;

  auto const terminated =
      daxadm({"set-dax", "lin", "never", "--policy", "terminate", "--deadline", "1"});
  ASSERT_EQ(terminated.exit_code, 0) << terminated.err << daxd_.log();
  EXPECT_EQ(json::parse(terminated.out, nullptr, false).value("dax", ""), "never");

  for (auto const* name : {"lin", "st"}) {
    auto const r = daxadm({"destroy-volume", name});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err << daxd_.log();
    EXPECT_EQ(r.err, std::string("destroyed volume ") + name + "\n");
  }
  auto const gone = daxadm({"destroy-volume", "lin"});
  EXPECT_EQ(gone.exit_code, 1);
  auto const listed_volumes = daxadm({"list", "-V"});
  EXPECT_EQ(listed_volumes.exit_code, 0) << listed_volumes.err;
  EXPECT_EQ(listed_volumes.out, "") << "no volume is left";
  auto const destroyed = daxadm({"destroy-namespace", "a", "-f"});  // lin left its ext4
  EXPECT_EQ(destroyed.exit_code, 0) << "no volume holds it any more: " << destroyed.err;
}

TEST_F(VolumesCli, DryRunsAndGrow) {
  for (auto const& [name, region] : {std::pair{"a", "region0"}, std::pair{"b", "region1"}}) {
    ASSERT_EQ(daxadm({"create-namespace", "-r", region, "-s", "256M", "-n", name}).exit_code, 0);
  }
  auto const plan = daxadm({"create-volume", "g", "-n", "a", "-t", "none", "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(plan.err, "would create volume g\n");
  EXPECT_EQ(json::parse(plan.out, nullptr, false).value("type", ""), "create-volume");
  EXPECT_EQ(daxadm({"list", "-V"}).out, "") << "the dry run created nothing";

  json const g = ok_json({"create-volume", "g", "-n", "a", "-t", "none"});
  json const grown = ok_json({"grow-volume", "g", "-n", "b"});
  EXPECT_GT(grown.value("size", 0ULL), g.value("size", 0ULL));
  EXPECT_EQ(grown.value("extents", json::array()).size(), 2u);
  auto const busy = daxadm({"destroy-namespace", "b"});
  EXPECT_EQ(busy.exit_code, 1) << "volume g is built on b";
  auto const destroy_plan = daxadm({"destroy-volume", "g", "--dry-run"});
  EXPECT_EQ(destroy_plan.exit_code, 0) << destroy_plan.err;
  EXPECT_EQ(destroy_plan.err, "would destroy volume g\n");
  EXPECT_EQ(daxadm({"destroy-volume", "g"}).exit_code, 0);
}

}  // namespace
}  // namespace daxd::testing
