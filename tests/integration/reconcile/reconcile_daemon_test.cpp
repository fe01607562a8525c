// SPDX-License-Identifier: Apache-2.0
// daxd on the sim host across a "reboot": stopped, its dm device and mount dropped from the
// sim's state file, started again; the volume is back, active and mounted. A lost namespace
// leaves it failed, with a volume-failed event.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/client/client.h"
#include "tests/integration/daemon_cli/daxd_process.h"

namespace daxd::testing {
namespace {

using nlohmann::json;

json request(DaxdProcess& daxd, std::string const& method, std::string const& target,
             std::string const& body = {}) {
  api_client::Client client(daxd.socket());
  auto r = client.request(method, target, body);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  if (!r) return nullptr;
  EXPECT_LT(r->status, 300u) << method << " " << target << ": " << r->body;
  return json::parse(r->body, nullptr, false);
}

// What a reboot does to the kernel: dm devices and mounts vanish; `lose` also drops namespaces.
void reboot(DaxdProcess& daxd, bool lose_namespace) {
  auto const file = daxd.dir() / "sim.json";
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  json s = json::parse(text.str());
  s["dm_devices"] = json::array();
  s["mounts"] = json::array();
  s["processes"] = json::array();
  if (lose_namespace) s["namespaces"] = json::array();
  std::ofstream(file) << s.dump(2);
}

class ReconcileDaemon : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(daxd_.ready()) << "daxd did not start:\n" << daxd_.log();
    json const made = request(daxd_, "POST", "/v1/volumes?wait=30",
                              R"({"name":"vol","namespaces":["db"],"mountpoint":"/mnt/vol",
                                  "dax":"always","force":true})");
    ASSERT_TRUE(made.is_object()) << daxd_.log();
    json const v = request(daxd_, "GET", "/v1/volumes/vol");
    ASSERT_EQ(v.value("state", ""), "active") << v.dump();
    ASSERT_EQ(daxd_.stop(), 0) << daxd_.log();
  }

  DaxdProcess daxd_;
};

TEST_F(ReconcileDaemon, VolumeComesBackAfterReboot) {
  reboot(daxd_, false);
  ASSERT_TRUE(daxd_.restart()) << daxd_.log();
  json const list = request(daxd_, "GET", "/v1/volumes");
  json const vols = list.is_array() ? list : list.value("volumes", json::array());
  ASSERT_EQ(vols.size(), 1u) << list.dump();
  EXPECT_EQ(vols[0]["name"], "vol");
  EXPECT_EQ(vols[0]["state"], "active") << vols[0].dump();
  EXPECT_EQ(vols[0]["mountpoint"], "/mnt/vol");
  EXPECT_EQ(vols[0]["dax_capable"], true);
  EXPECT_FALSE(vols[0].value("blockdev", "").empty());
  EXPECT_NE(daxd_.log().find("reconcile: volume 'vol': re-create /dev/mapper/daxd-vol"),
            std::string::npos)
      << daxd_.log();

  // The mount is there with the desired dax mode (the sim's kernel state says so).
  EXPECT_EQ(daxd_.stop(), 0);
  std::ifstream in(daxd_.dir() / "sim.json");
  std::stringstream text;
  text << in.rdbuf();
  json const s = json::parse(text.str());
  ASSERT_EQ(s["mounts"].size(), 1u) << s["mounts"].dump();
  EXPECT_EQ(s["mounts"][0]["target"], "/mnt/vol");
  EXPECT_EQ(s["mounts"][0]["dax"], "always");
  // A second start finds nothing to do.
  ASSERT_TRUE(daxd_.restart()) << daxd_.log();
  json const again = request(daxd_, "GET", "/v1/volumes/vol");
  EXPECT_EQ(again.value("state", ""), "active");
}

TEST_F(ReconcileDaemon, LostNamespaceLeavesVolumeFailedWithEvent) {
  reboot(daxd_, true);
  ASSERT_TRUE(daxd_.restart()) << daxd_.log();
  json const v = request(daxd_, "GET", "/v1/volumes/vol");
  EXPECT_EQ(v.value("state", ""), "failed") << v.dump();
  EXPECT_EQ(v.value("reason", ""), "namespace 'db' is gone");
  DaxadmProcess events(
      {"--socket", daxd_.socket(), "events", "--since", "0", "--type", "volume-failed", "-c", "1"});
  auto const seen = events.finish(30);
  EXPECT_EQ(seen.exit_code, 0) << seen.err;
  EXPECT_NE(seen.out.find("\"volume\":\"vol\""), std::string::npos) << seen.out;
  EXPECT_NE(seen.out.find("namespace 'db' is gone"), std::string::npos) << seen.out;
}

}  // namespace
}  // namespace daxd::testing
