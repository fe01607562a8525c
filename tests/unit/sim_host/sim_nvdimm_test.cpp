// SPDX-License-Identifier: Apache-2.0
// The sim's libnvdimm: sizes and names as the kernel gives them, capacity, label-less, EBUSY.
#include <gtest/gtest.h>

#include "daemon/host/sim/sim_rules.h"
#include "tests/unit/sim_host/sim_test_util.h"

namespace daxd::host::sim {
namespace {

using testing::one_region;
using testing::SimTest;
using NvdimmSim = SimTest;

TEST(SimSizes, MatchTheKernelNumbersFromTheRecipe) {
  EXPECT_EQ(pfn_usable_size(512 * kMiB, 2 * kMiB), 526385152U);  // 502.00 MiB
  EXPECT_EQ(pfn_usable_size(256 * kMiB, 2 * kMiB), 262144000U);  // 250.00 MiB
  EXPECT_EQ(btt_usable_size(256 * kMiB), 267091968U);            // 254.72 MiB
}

TEST_F(NvdimmSim, CreateGivesTheKernelsNamesSizesAndConsumesSpace) {
  open_with(one_region(1024 * kMiB));
  auto const a = create("region0", 512 * kMiB, NamespaceMode::fsdax, "db");
  EXPECT_EQ(a.dev, "namespace0.0");
  EXPECT_EQ(a.blockdev, "pmem0");
  EXPECT_EQ(a.size, 526385152U);
  EXPECT_EQ(a.map, "dev");
  EXPECT_EQ(a.align, 2097152U);
  EXPECT_EQ(a.sector_size, 512U);
  EXPECT_EQ(a.name, "db");
  EXPECT_EQ(a.uuid.size(), 36U);
  EXPECT_EQ(a.uuid[14], '4');

  auto const b = create("region0", 256 * kMiB, NamespaceMode::devdax);
  EXPECT_EQ(b.dev, "namespace0.1");
  EXPECT_EQ(b.chardev, "dax0.1");
  EXPECT_EQ(b.blockdev, "");
  EXPECT_EQ(b.size, 262144000U);

  auto const c = create("region0", 256 * kMiB, NamespaceMode::sector);
  EXPECT_EQ(c.dev, "namespace0.2");
  EXPECT_EQ(c.blockdev, "pmem0.2s");
  EXPECT_EQ(c.sector_size, 4096U);
  EXPECT_EQ(c.size, 267091968U);

  auto regions = host_->nvdimm().list_regions();
  ASSERT_TRUE(regions);
  EXPECT_EQ(regions->front().available_size, 0U);
  ASSERT_TRUE(host_->nvdimm().destroy_namespace("namespace0.2"));
  regions = host_->nvdimm().list_regions();
  EXPECT_EQ(regions->front().available_size, 268435456U);
  EXPECT_EQ(regions->front().max_available_extent, 268435456U);
  // The freed id is reused, as the kernel reuses its seed.
  EXPECT_EQ(create("region0", 256 * kMiB, NamespaceMode::raw).dev, "namespace0.2");
}

TEST_F(NvdimmSim, NoSpaceWhenTheRequestDoesNotFit) {
  open_with(one_region(1024 * kMiB));
  create("region0", 768 * kMiB, NamespaceMode::fsdax);
  auto const r = host_->nvdimm().create_namespace(
      NamespaceSpec{"region0", "", 512 * kMiB, NamespaceMode::fsdax, std::nullopt});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::no_space);
}

TEST_F(NvdimmSim, SizeMustFollowTheRegionAlignAndMinimum) {
  auto const odd = host_->nvdimm().create_namespace(
      NamespaceSpec{"region0", "", 100 * kMiB, NamespaceMode::fsdax, std::nullopt});
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().code, Errc::invalid_argument);
  EXPECT_NE(odd.error().message.find("is misaligned"), std::string::npos);
  auto const missing = host_->nvdimm().create_namespace(
      NamespaceSpec{"region7", "", 512 * kMiB, NamespaceMode::fsdax, std::nullopt});
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST_F(NvdimmSim, LabelLessRegionHasOneRawNamespaceAndRefusesSubdivision) {
  open_with(one_region(1024 * kMiB, /*labels=*/false));
  auto const list = host_->nvdimm().list_namespaces();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1U);
  EXPECT_EQ(list->front().dev, "namespace0.0");
  EXPECT_EQ(list->front().mode, NamespaceMode::raw);
  EXPECT_EQ(list->front().blockdev, "pmem0");
  EXPECT_EQ(list->front().size, 1024 * kMiB);
  auto const regions = host_->nvdimm().list_regions();
  EXPECT_EQ(regions->front().available_size, 0U);
  EXPECT_FALSE(regions->front().iset_id.has_value());

  auto const r = host_->nvdimm().create_namespace(
      NamespaceSpec{"region0", "", 256 * kMiB, NamespaceMode::fsdax, std::nullopt});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unsupported);
  EXPECT_EQ(r.error().message,
            "region0: label-less namespaces do not support sub-dividing a region");
}

TEST_F(NvdimmSim, LabelLessRegionCanBeConfiguredWhole) {
  open_with(one_region(1024 * kMiB, /*labels=*/false));
  auto const ns = host_->nvdimm().create_namespace(
      NamespaceSpec{"region0", "", 0, NamespaceMode::fsdax, std::nullopt});
  ASSERT_TRUE(ns) << ns.error().message;
  EXPECT_EQ(ns->dev, "namespace0.0");
  EXPECT_EQ(ns->blockdev, "pmem0");
  EXPECT_EQ(ns->uuid, "");
  EXPECT_EQ(ns->size, pfn_usable_size(1024 * kMiB, 2 * kMiB));
  EXPECT_EQ(
      host_->nvdimm()
          .create_namespace(NamespaceSpec{"region0", "", 0, NamespaceMode::fsdax, std::nullopt})
          .error()
          .code,
      Errc::no_space);
}

TEST_F(NvdimmSim, DestroyIsBusyWhileMounted) {
  auto const ns = mounted_fsdax("/mnt/db");
  auto const r = host_->nvdimm().destroy_namespace(ns.dev);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::busy);
  ASSERT_FALSE(r.error().blockers.empty());
  EXPECT_EQ(r.error().blockers.front().kind, ConsumerKind::mount);
  EXPECT_EQ(host_->nvdimm().list_namespaces()->size(), 1U);
}

TEST_F(NvdimmSim, DestroyIsBusyWhileHeldOpenOrMappedOrInATable) {
  auto const dax = create("region0", 256 * kMiB, NamespaceMode::devdax);
  ASSERT_TRUE(host_->add_process(process(42, "app", {mapping("/dev/" + dax.chardev, true)})));
  auto const r = host_->nvdimm().destroy_namespace(dax.dev);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::busy);
  EXPECT_EQ(r.error().blockers.front().pid, 42);
  EXPECT_TRUE(r.error().blockers.front().map_sync);
  EXPECT_EQ(host_->nvdimm().reconfigure_namespace(dax.dev, NamespaceMode::fsdax).error().code,
            Errc::busy);

  auto const fs = create("region1", 512 * kMiB, NamespaceMode::fsdax);
  ASSERT_TRUE(host_->device_mapper().create("lin0", "", {{0, 1028096, "linear", "/dev/pmem1 0"}}));
  EXPECT_EQ(host_->nvdimm().destroy_namespace(fs.dev).error().code, Errc::busy);
}

TEST_F(NvdimmSim, ReconfigureKeepsNameAndSizeAndDropsData) {
  auto const ns = mounted_fsdax("/mnt/db");
  ASSERT_TRUE(host_->write_file("/dev/pmem0", "/a", "hello"));
  ASSERT_TRUE(host_->filesystems().unmount("/mnt/db"));
  auto const dax = host_->nvdimm().reconfigure_namespace(ns.dev, NamespaceMode::devdax);
  ASSERT_TRUE(dax) << dax.error().message;
  EXPECT_EQ(dax->dev, ns.dev);
  EXPECT_EQ(dax->name, "db");
  EXPECT_EQ(dax->chardev, "dax0.0");
  EXPECT_EQ(dax->size, ns.size);
  EXPECT_NE(dax->uuid, ns.uuid);
  auto const back = host_->nvdimm().reconfigure_namespace(ns.dev, NamespaceMode::fsdax);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->blockdev, "pmem0");
  EXPECT_EQ(*host_->filesystems().probe_signature("/dev/pmem0"), "");
  EXPECT_FALSE(host_->read_file("/dev/pmem0", "/a"));
}

}  // namespace
}  // namespace daxd::host::sim
