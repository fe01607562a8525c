// SPDX-License-Identifier: Apache-2.0
// daxadm list output rules against golden text shaped like ndctl 76's `ndctl list`.
#include "cli/list_format.h"

#include <gtest/gtest.h>

#include "cli/json_print.h"

namespace daxd::cli {
namespace {

using nlohmann::json;

constexpr std::uint64_t kGiB = 1ull << 30;

// What GET /v1/regions and /v1/namespaces serve (nlohmann sorts keys; the CLI reorders them).
ListData two_regions() {
  ListData d;
  d.regions = json::array({
      {{"dev", "region0"},
       {"size", 16 * kGiB},
       {"align", 16777216},
       {"available_size", 15 * kGiB},
       {"max_available_extent", 15 * kGiB},
       {"type", "pmem"},
       {"iset_id", 0x2d3c7f48f4e22cccULL},
       {"persistence_domain", "memory_controller"}},
      {{"dev", "region1"},
       {"size", 16 * kGiB},
       {"align", 16777216},
       {"available_size", 16 * kGiB},
       {"max_available_extent", 16 * kGiB},
       {"type", "pmem"},
       {"iset_id", 0},
       {"persistence_domain", "memory_controller"}},
  });
  d.namespaces = json::array({
      {{"dev", "namespace0.0"},
       {"region", "region0"},
       {"mode", "fsdax"},
       {"map", "dev"},
       {"size", 1006632960},
       {"uuid", "8d2c7c3a-4f1e-4a52-9d1a-3c5e2f0b6a11"},
       {"sector_size", 512},
       {"align", 2097152},
       {"blockdev", "pmem0"},
       {"name", "db"}},
  });
  return d;
}

TEST(ListFormat, NoSelectorListsNamespacesWithoutRegionKey) {
  ListSelection const sel = with_defaults({});
  EXPECT_TRUE(sel.namespaces);
  EXPECT_FALSE(sel.regions);
  EXPECT_EQ(render_list_json(sel, two_regions()),
            "[\n"
            "  {\n"
            "    \"dev\":\"namespace0.0\",\n"
            "    \"mode\":\"fsdax\",\n"
            "    \"map\":\"dev\",\n"
            "    \"size\":1006632960,\n"
            "    \"uuid\":\"8d2c7c3a-4f1e-4a52-9d1a-3c5e2f0b6a11\",\n"
            "    \"sector_size\":512,\n"
            "    \"align\":2097152,\n"
            "    \"blockdev\":\"pmem0\",\n"
            "    \"name\":\"db\"\n"
            "  }\n"
            "]\n");
}

TEST(ListFormat, RegionFilterAloneSelectsRegions) {
  ListSelection in;
  in.region = "1";
  ListSelection const sel = with_defaults(in);
  EXPECT_TRUE(sel.regions);
  EXPECT_FALSE(sel.namespaces);
  auto const tree = build_list_tree(sel, two_regions());
  ASSERT_TRUE(tree.is_array());
  ASSERT_EQ(tree.size(), 1u);
  EXPECT_EQ(tree[0]["dev"], "region1");
}

TEST(ListFormat, RegionsInNdctlKeyOrderWithBytes) {
  ListSelection sel;
  sel.regions = true;
  sel.region = "region1";
  EXPECT_EQ(render_list_json(sel, two_regions()),
            "[\n"
            "  {\n"
            "    \"dev\":\"region1\",\n"
            "    \"size\":17179869184,\n"
            "    \"align\":16777216,\n"
            "    \"available_size\":17179869184,\n"
            "    \"max_available_extent\":17179869184,\n"
            "    \"type\":\"pmem\",\n"
            "    \"iset_id\":0,\n"
            "    \"persistence_domain\":\"memory_controller\"\n"
            "  }\n"
            "]\n");
}

TEST(ListFormat, HumanSingleRegionIsPrintedBareWithHexIsetId) {
  ListSelection sel;
  sel.regions = true;
  sel.human_sizes = true;
  sel.region = "region0";
  EXPECT_EQ(render_list_json(sel, two_regions()),
            "{\n"
            "  \"dev\":\"region0\",\n"
            "  \"size\":\"16.00 GiB (17.18 GB)\",\n"
            "  \"align\":\"16.00 MiB (16.78 MB)\",\n"
            "  \"available_size\":\"15.00 GiB (16.11 GB)\",\n"
            "  \"max_available_extent\":\"15.00 GiB (16.11 GB)\",\n"
            "  \"type\":\"pmem\",\n"
            "  \"iset_id\":\"0x2d3c7f48f4e22ccc\",\n"
            "  \"persistence_domain\":\"memory_controller\"\n"
            "}\n");
}

TEST(ListFormat, HumanManyRegionsStayAnArrayAndZeroHexIsPlainZero) {
  ListSelection sel;
  sel.regions = true;
  sel.human_sizes = true;
  auto const tree = build_list_tree(sel, two_regions());
  ASSERT_TRUE(tree.is_array());
  ASSERT_EQ(tree.size(), 2u);
  EXPECT_EQ(tree[1]["iset_id"], "0");
}

TEST(ListFormat, RegionsWithNamespacesBecomeAnObjectWhenTheLastRegionHasSome) {
  // ndctl quirk (pmem/ndctl#183): -RN prints {"regions":[...]} when the last listed region has
  // namespaces (lfa->jnamespaces survives), a bare array otherwise.
  ListSelection sel;
  sel.regions = sel.namespaces = true;
  ListData data = two_regions();
  auto tree = build_list_tree(sel, data);
  ASSERT_TRUE(tree.is_array()) << tree.dump();
  EXPECT_TRUE(tree[0].contains("namespaces"));
  EXPECT_FALSE(tree[1].contains("namespaces"));

  std::swap(data.regions[0], data.regions[1]);  // region0, which has a namespace, last
  tree = build_list_tree(sel, data);
  ASSERT_TRUE(tree.is_object()) << tree.dump();
  ASSERT_EQ(tree.size(), 1u);
  EXPECT_EQ(tree["regions"][1]["dev"], "region0");
}

TEST(ListFormat, RegionsWithNamespacesHumanGolden) {
  ListSelection sel;
  sel.regions = sel.namespaces = sel.human_sizes = true;
  ListData data = two_regions();
  data.regions.erase(1);
  EXPECT_EQ(render_list_json(sel, data),
            "{\n"
            "  \"regions\":[\n"
            "    {\n"
            "      \"dev\":\"region0\",\n"
            "      \"size\":\"16.00 GiB (17.18 GB)\",\n"
            "      \"align\":\"16.00 MiB (16.78 MB)\",\n"
            "      \"available_size\":\"15.00 GiB (16.11 GB)\",\n"
            "      \"max_available_extent\":\"15.00 GiB (16.11 GB)\",\n"
            "      \"type\":\"pmem\",\n"
            "      \"iset_id\":\"0x2d3c7f48f4e22ccc\",\n"
            "      \"persistence_domain\":\"memory_controller\",\n"
            "      \"namespaces\":[\n"
            "        {\n"
            "          \"dev\":\"namespace0.0\",\n"
            "          \"mode\":\"fsdax\",\n"
            "          \"map\":\"dev\",\n"
            "          \"size\":\"960.00 MiB (1006.63 MB)\",\n"
            "          \"uuid\":\"8d2c7c3a-4f1e-4a52-9d1a-3c5e2f0b6a11\",\n"
            "          \"sector_size\":512,\n"
            "          \"align\":2097152,\n"
            "          \"blockdev\":\"pmem0\",\n"
            "          \"name\":\"db\"\n"
            "        }\n"
            "      ]\n"
            "    }\n"
            "  ]\n"
            "}\n");
}

TEST(ListFormat, NamespacesOfOtherRegionsAreNotNested) {
  ListSelection sel;
  sel.regions = sel.namespaces = true;
  ListData data = two_regions();
  data.namespaces.push_back({{"dev", "namespace1.0"},
                             {"region", "region1"},
                             {"mode", "devdax"},
                             {"size", kGiB},
                             {"chardev", "dax1.0"}});
  auto const tree = build_list_tree(sel, data);
  ASSERT_TRUE(tree.is_object());
  auto const& regions = tree["regions"];
  ASSERT_EQ(regions[0]["namespaces"].size(), 1u);
  EXPECT_EQ(regions[0]["namespaces"][0]["dev"], "namespace0.0");
  EXPECT_EQ(regions[1]["namespaces"][0]["dev"], "namespace1.0");
  EXPECT_FALSE(regions[1]["namespaces"][0].contains("region"));
}

TEST(ListFormat, NamespaceFilterKeepsOnlyRegionsHoldingIt) {
  ListSelection sel;
  sel.regions = true;
  sel.name = "0.0";
  auto const tree = build_list_tree(sel, two_regions());
  ASSERT_TRUE(tree.is_array());
  ASSERT_EQ(tree.size(), 1u);
  EXPECT_EQ(tree[0]["dev"], "region0");
}

TEST(ListFormat, SmallSizesStayNumbersUnderHuman) {
  ListSelection sel;
  sel.namespaces = sel.human_sizes = true;
  ListData data;
  data.namespaces = json::array(
      {{{"dev", "namespace0.0"}, {"region", "region0"}, {"mode", "raw"}, {"size", 4096}}});
  EXPECT_EQ(render_list_json(sel, data),
            "{\n  \"dev\":\"namespace0.0\",\n  \"mode\":\"raw\",\n  \"size\":4096\n}\n");
}

TEST(ListFormat, EmptyResultPrintsNothing) {
  ListSelection sel;
  sel.regions = true;
  EXPECT_EQ(render_list_json(sel, ListData{}), "");
  sel.region = "region7";
  EXPECT_EQ(render_list_json(sel, two_regions()), "");
}

TEST(ListFormat, SeveralKindsMakeAPlatformObject) {
  ListSelection sel;
  sel.regions = sel.volumes = true;
  ListData data = two_regions();
  data.volumes = json::array(
      {{{"name", "db"},
        {"layout", "linear"},
        {"size", kGiB},
        {"state", "active"},
        {"dax_capable", true},
        {"extents",
         json::array({{{"namespace", "namespace0.0"}, {"offset", 0}, {"length", kGiB}}})}}});
  auto tree = build_list_tree(sel, data);
  ASSERT_TRUE(tree.is_object());
  std::vector<std::string> keys;
  for (auto const& [k, v] : tree.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"regions", "volumes"}));
  EXPECT_EQ(tree["volumes"][0].begin().key(), "name");

  data.volumes = json::array();  // only one kind left: an array again
  tree = build_list_tree(sel, data);
  EXPECT_TRUE(tree.is_array());
}

TEST(ListFormat, SnapshotsNestUnderTheirVolumesLikeNamespacesUnderRegions) {
  ListSelection sel;
  sel.volumes = sel.snapshots = true;
  ListData data;
  data.volumes =
      json::array({{{"name", "db"}, {"size", kGiB}}, {{"name", "logs"}, {"size", kGiB}}});
  data.snapshots = json::array({{{"name", "db-1"}, {"volume", "db"}, {"size", kGiB}}});
  auto tree = build_list_tree(sel, data);
  ASSERT_TRUE(tree.is_array()) << tree.dump();  // "logs", listed last, has no snapshot
  EXPECT_EQ(tree[0]["snapshots"][0]["name"], "db-1");
  EXPECT_FALSE(tree[0]["snapshots"][0].contains("volume"));

  sel.volumes = false;  // -S alone: a flat list that keeps "volume"
  tree = build_list_tree(sel, data);
  ASSERT_TRUE(tree.is_array());
  EXPECT_EQ(tree[0]["volume"], "db");
}

TEST(ListFormat, NumaNodesOnlyWithVerboseAndZeroNamespaceAlignOmitted) {
  ListSelection sel;
  sel.regions = sel.namespaces = true;
  ListData data = two_regions();
  data.regions[0]["numa_node"] = 0;
  data.namespaces[0]["numa_node"] = 0;
  data.namespaces[0]["align"] = 0;
  auto tree = build_list_tree(sel, data);
  EXPECT_FALSE(tree[0].contains("numa_node"));
  EXPECT_FALSE(tree[0]["namespaces"][0].contains("numa_node"));
  EXPECT_FALSE(tree[0]["namespaces"][0].contains("align"));
  EXPECT_TRUE(tree[0].contains("align"));
  sel.verbose = true;
  tree = build_list_tree(sel, data);
  EXPECT_EQ(tree[0]["numa_node"], 0);
  EXPECT_EQ(tree[0]["namespaces"][0]["numa_node"], 0);
  // ndctl's order: numa_node after type in regions, after name in namespaces.
  std::vector<std::string> keys;
  for (auto const& [k, v] : tree[0].items()) keys.push_back(k);
  EXPECT_EQ(keys[6], "numa_node");
}

TEST(ListFormat, DisabledObjectsNeedIdle) {
  ListSelection sel;
  sel.regions = true;
  ListData data = two_regions();
  data.regions[1]["state"] = "disabled";
  EXPECT_EQ(build_list_tree(sel, data).size(), 1u);
  sel.idle = true;
  EXPECT_EQ(build_list_tree(sel, data).size(), 2u);
}

TEST(ListFormat, TablesAreAligned) {
  ListSelection sel;
  sel.regions = sel.namespaces = sel.human_sizes = true;
  EXPECT_EQ(render_list_tables(sel, two_regions()),
            "REGION   SIZE       AVAILABLE  TYPE  STATE\n"
            "region0  16.00 GiB  15.00 GiB  pmem  enabled\n"
            "region1  16.00 GiB  16.00 GiB  pmem  enabled\n"
            "\n"
            "NAMESPACE     NAME  MODE   SIZE        DEVICE  REGION\n"
            "namespace0.0  db    fsdax  960.00 MiB  pmem0   region0\n");
}

TEST(JsonPrint, MatchesJsonCPrettyForm) {
  nlohmann::ordered_json v = {{"path", "/mnt/db"},
                              {"empty", nlohmann::ordered_json::array()},
                              {"obj", nlohmann::ordered_json::object()},
                              {"neg", -1},
                              {"t", true},
                              {"q", "a\"b\\c\n"}};
  EXPECT_EQ(to_ndctl_json(v),
            "{\n"
            "  \"path\":\"\\/mnt\\/db\",\n"
            "  \"empty\":[],\n"
            "  \"obj\":{},\n"
            "  \"neg\":-1,\n"
            "  \"t\":true,\n"
            "  \"q\":\"a\\\"b\\\\c\\n\"\n"
            "}");
}

}  // namespace
}  // namespace daxd::cli
