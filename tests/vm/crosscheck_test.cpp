// SPDX-License-Identifier: Apache-2.0
// Host-side checks of what the guest's daxd-inventory scenario recorded: daxd's view of the real
// kernel must equal ndctl's, and daxd must see a dmsetup-made table and a dax mount.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string slurp(fs::path const& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class Crosscheck : public ::testing::Test {
 protected:
  void SetUp() override {
    char const* env = std::getenv("DAXD_VM_RESULTS");
    ASSERT_NE(env, nullptr) << "DAXD_VM_RESULTS is not set (run through ctest -L vm)";
    dir_ = env;
    if (fs::exists(dir_ / "SKIPPED")) GTEST_SKIP() << "the VM cannot run here: " << slurp(dir_ / "SKIPPED");
    std::string const rc = slurp(dir_ / "daxd-inventory.rc");
    ASSERT_FALSE(rc.empty()) << "vm.boot did not run the daxd-inventory scenario";
    if (rc == "77\n") GTEST_SKIP() << "daxd-inventory skipped in the guest: " << slurp(dir_ / "daxd-inventory.log");
  }
  json load(char const* name) {
    json j = json::parse(slurp(dir_ / name), nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << name << " is not JSON:\n" << slurp(dir_ / name);
    return j;
  }
  fs::path dir_;
};

// An array of objects that all carry "dev" (regions, namespaces) is compared as a set keyed by it.
bool keyed_by_dev(json const& a) {
  if (!a.is_array() || a.empty()) return false;
  for (auto const& e : a) {
    if (!e.is_object() || !e.contains("dev")) return false;
  }
  return true;
}

json by_dev(json const& a) {
  json out = json::object();
  for (auto const& e : a) out[e.at("dev").get<std::string>()] = e;
  return out;
}

// Field-by-field comparison; every difference is reported with its path.
void expect_same(json const& ndctl, json const& daxd, std::string const& path) {
  if (keyed_by_dev(ndctl) && keyed_by_dev(daxd)) return expect_same(by_dev(ndctl), by_dev(daxd), path);
  if (ndctl.is_object() && daxd.is_object()) {
    for (auto const& [key, value] : ndctl.items()) {
      if (!daxd.contains(key)) ADD_FAILURE() << path << "." << key << ": daxd lacks it (ndctl: " << value << ")";
      else expect_same(value, daxd.at(key), path + "." + key);
    }
    for (auto const& [key, value] : daxd.items()) {
      if (!ndctl.contains(key)) ADD_FAILURE() << path << "." << key << ": ndctl lacks it (daxd: " << value << ")";
    }
    return;
  }
  EXPECT_EQ(ndctl, daxd) << "at " << path;
}

TEST_F(Crosscheck, DaxadmListEqualsNdctlList) {
  json const ndctl = load("ndctl-list.json");
  json const daxd = load("daxadm-list.json");
  expect_same(ndctl, daxd, "list -RNu");
}

// Whether any route daxd answered with 2xx mentions `what`; the statuses go into `seen`.
bool daxd_shows(fs::path const& dir, std::string const& what, std::string& seen) {
  bool found = false;
  for (auto const& entry : fs::directory_iterator(dir)) {
    std::string const file = entry.path().filename().string();
    if (file.rfind("daxd-get-", 0) != 0) continue;
    std::string const body = slurp(entry.path());
    std::string const status = body.substr(0, body.find('\n'));
    seen += "\n  GET /v1/" + file.substr(9, file.size() - 13) + ": " + status;
    if (status.find(" 2") != std::string::npos && body.find(what) != std::string::npos) found = true;
  }
  return found;
}

TEST_F(Crosscheck, DaxdSeesDmsetupLinearTable) {
  std::string seen;
  EXPECT_TRUE(daxd_shows(dir_, "x-lin", seen)) << "no daxd route shows dm device x-lin:" << seen;
}

TEST_F(Crosscheck, DaxdSeesDaxMount) {
  std::string seen;
  EXPECT_TRUE(daxd_shows(dir_, "/mnt/x-dax", seen)) << "no daxd route shows the mount /mnt/x-dax:" << seen;
}

}  // namespace
