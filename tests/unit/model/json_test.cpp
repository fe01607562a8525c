// SPDX-License-Identifier: Apache-2.0
// JSON shape of the model: ndctl's keys, bytes, absent keys omitted, round trips.
#include "daemon/model/json.h"

#include <gtest/gtest.h>

namespace daxd {
namespace {

TEST(NamespaceJson, HasNdctlKeysAndOmitsEmptyOnes) {
  Namespace n;
  n.dev = "namespace0.0";
  n.region = "region0";
  n.mode = NamespaceMode::fsdax;
  n.map = "dev";
  n.size = 526385152;
  n.uuid = "c3a7e2c4-1111-2222-3333-444455556666";
  n.sector_size = 512;
  n.align = 2097152;
  n.blockdev = "pmem0";
  n.name = "db";
  nlohmann::json const j = n;
  EXPECT_EQ(j, nlohmann::json::parse(R"({"dev":"namespace0.0","mode":"fsdax","map":"dev",
    "size":526385152,"uuid":"c3a7e2c4-1111-2222-3333-444455556666","sector_size":512,
    "align":2097152,"blockdev":"pmem0","name":"db"})"));
  Namespace raw;
  raw.dev = "namespace1.0";
  raw.size = 1;
  raw.blockdev = "pmem1";
  EXPECT_EQ(nlohmann::json(raw).dump(),
            R"({"blockdev":"pmem1","dev":"namespace1.0","mode":"raw","size":1})");
}

TEST(NamespaceJson, RoundTripsThroughFixtureForm) {
  Namespace n;
  n.dev = "namespace0.1";
  n.mode = NamespaceMode::devdax;
  n.size = 262144000;
  n.chardev = "dax0.1";
  n.align = 2097152;
  auto back = namespace_from_json(nlohmann::json(n));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, n);
}

TEST(RegionJson, RejectsWrongTypes) {
  auto const r = region_from_json(nlohmann::json::parse(R"({"dev":"region0","size":"big"})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find("size"), std::string::npos);
}

}  // namespace
}  // namespace daxd
