// SPDX-License-Identifier: Apache-2.0
// Namespace scenarios: what create, list, reconfigure and destroy report, in the kernel's numbers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/conformance/conformance_fixture.h"

namespace daxd::conformance {
namespace {

using ::testing::MatchesRegex;

// The kernel's numbers on the VM's 1 GiB regions (map=dev: the struct page array costs ~2%).
constexpr std::uint64_t kFsdax512M = 526385152;   // 502.00 MiB
constexpr std::uint64_t kDax256M = 262144000;     // 250.00 MiB
constexpr std::uint64_t kSector256M = 267091968;  // 254.72 MiB: BTT v1.1 with 4 KiB sectors
constexpr std::uint64_t kAlign2M = 2097152;

TEST_F(Conformance, RegionsAreTwoLabelledGiB) {
  CONF_ASSIGN_OR_FAIL(auto const regions, nvdimm().list_regions());
  ASSERT_EQ(regions.size(), 2U);
  EXPECT_EQ(regions[0].dev, "region0");
  EXPECT_EQ(regions[1].dev, "region1");
  for (Region const& r : regions) {
    EXPECT_EQ(r.size, 1024 * kMiB) << r.dev;
    EXPECT_EQ(r.available_size, 1024 * kMiB) << r.dev;
    EXPECT_EQ(r.max_available_extent, 1024 * kMiB) << r.dev;
    EXPECT_EQ(r.align, 16 * kMiB) << r.dev;
    EXPECT_EQ(r.type, "pmem") << r.dev;
    EXPECT_TRUE(r.iset_id.has_value())
        << r.dev << ": labelled regions have an interleave-set cookie";
    EXPECT_TRUE(r.enabled) << r.dev;
  }
}

TEST_F(Conformance, FsdaxNamespaceHasKernelGeometry) {
  CONF_ASSIGN_OR_FAIL(auto const created,
                      nvdimm().create_namespace(spec("c-fsdax", NamespaceMode::fsdax, 512 * kMiB)));
  CONF_ASSIGN_OR_FAIL(auto const listed, find_namespace("c-fsdax"));
  for (Namespace const& ns : {created, listed}) {
    EXPECT_EQ(ns.mode, NamespaceMode::fsdax);
    EXPECT_EQ(ns.region, "region0");
    EXPECT_EQ(ns.size, kFsdax512M);
    EXPECT_EQ(ns.align, kAlign2M);
    EXPECT_EQ(ns.map, "dev");
    EXPECT_THAT(ns.blockdev, MatchesRegex("pmem[0-9]+"));
    EXPECT_EQ(ns.chardev, "");
    EXPECT_THAT(ns.dev, MatchesRegex("namespace0\\.[0-9]+"));
    EXPECT_EQ(ns.name, "c-fsdax");
    EXPECT_EQ(ns.sector_size, 512U);
    EXPECT_EQ(ns.uuid.size(), 36U);
  }
  EXPECT_EQ(created, listed);
}

TEST_F(Conformance, DevdaxNamespaceHasCharDevice) {
  CONF_ASSIGN_OR_FAIL(auto const created, nvdimm().create_namespace(
                                              spec("c-devdax", NamespaceMode::devdax, 256 * kMiB)));
  CONF_ASSIGN_OR_FAIL(auto const listed, find_namespace("c-devdax"));
  for (Namespace const& ns : {created, listed}) {
    EXPECT_EQ(ns.mode, NamespaceMode::devdax);
    EXPECT_EQ(ns.size, kDax256M);
    EXPECT_EQ(ns.align, kAlign2M);
    EXPECT_THAT(ns.chardev, MatchesRegex("dax0\\.[0-9]+"));
    EXPECT_EQ(ns.blockdev, "");
    EXPECT_EQ(ns.sector_size, std::nullopt) << "ndctl shows no sector_size for devdax";
  }
  EXPECT_EQ(created, listed);
}

TEST_F(Conformance, SectorNamespaceHas4KSectors) {
  CONF_ASSIGN_OR_FAIL(auto const created, nvdimm().create_namespace(
                                              spec("c-sector", NamespaceMode::sector, 256 * kMiB)));
  CONF_ASSIGN_OR_FAIL(auto const listed, find_namespace("c-sector"));
  for (Namespace const& ns : {created, listed}) {
    EXPECT_EQ(ns.mode, NamespaceMode::sector);
    EXPECT_EQ(ns.sector_size, 4096U);
    EXPECT_THAT(ns.blockdev, MatchesRegex("pmem0(\\.[0-9]+)?s"));
    EXPECT_EQ(ns.size, kSector256M);
  }
  EXPECT_EQ(created, listed);
}

TEST_F(Conformance, ReconfigureDevdaxToFsdaxKeepsName) {
  CONF_ASSIGN_OR_FAIL(auto const before, nvdimm().create_namespace(
                                             spec("c-reconf", NamespaceMode::devdax, 256 * kMiB)));
  CONF_ASSIGN_OR_FAIL(auto const after,
                      nvdimm().reconfigure_namespace(before.dev, NamespaceMode::fsdax));
  CONF_ASSIGN_OR_FAIL(auto const listed, find_namespace("c-reconf"));
  for (Namespace const& ns : {after, listed}) {
    EXPECT_EQ(ns.mode, NamespaceMode::fsdax);
    EXPECT_EQ(ns.name, "c-reconf");
    EXPECT_EQ(ns.dev, before.dev);
    EXPECT_EQ(ns.region, before.region);
    EXPECT_EQ(ns.size, kDax256M);
    EXPECT_THAT(ns.blockdev, MatchesRegex("pmem[0-9.]+"));
    EXPECT_EQ(ns.chardev, "");
  }
}

TEST_F(Conformance, DestroyReturnsCapacity) {
  CONF_ASSIGN_OR_FAIL(auto const empty, find_region("region0"));
  EXPECT_EQ(empty.size, 1024 * kMiB);
  EXPECT_EQ(empty.available_size, 1024 * kMiB);
  CONF_ASSIGN_OR_FAIL(auto const ns, nvdimm().create_namespace(
                                         spec("c-destroy", NamespaceMode::fsdax, 256 * kMiB)));
  CONF_ASSIGN_OR_FAIL(auto const used, find_region("region0"));
  EXPECT_EQ(used.available_size, 768 * kMiB);
  CONF_ASSERT_OK(nvdimm().destroy_namespace(ns.dev));
  CONF_ASSIGN_OR_FAIL(auto const freed, find_region("region0"));
  EXPECT_EQ(freed.available_size, 1024 * kMiB);
  auto const gone = find_namespace("c-destroy");
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().code, Errc::not_found);
}

TEST_F(Conformance, CreateBeyondAvailableIsNoSpace) {
  CONF_ASSIGN_OR_FAIL(auto const big,
                      nvdimm().create_namespace(spec("c-big", NamespaceMode::fsdax, 768 * kMiB)));
  auto const refused =
      nvdimm().create_namespace(spec("c-toobig", NamespaceMode::fsdax, 512 * kMiB));
  ASSERT_FALSE(refused.has_value()) << "created " << refused->dev;
  EXPECT_EQ(refused.error().code, Errc::no_space) << describe(refused.error());
  CONF_ASSIGN_OR_FAIL(auto const region, find_region("region0"));
  EXPECT_EQ(region.available_size, 256 * kMiB);
  EXPECT_FALSE(find_namespace("c-toobig").has_value());
  EXPECT_EQ(big.region, "region0");
}

}  // namespace
}  // namespace daxd::conformance
