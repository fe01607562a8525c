// SPDX-License-Identifier: Apache-2.0
// The sim's dm-snapshot beyond the conformance scenarios: the kernel texts seen on 6.1 for
// handover, a COW holding xfs, persistent stores, merge beneath a mounted origin; bulk copies.
#include <gtest/gtest.h>

#include "tests/unit/sim_host/sim_test_util.h"

namespace daxd::host::sim {
namespace {

using testing::SimTest;

constexpr std::uint64_t kSectors = 1028096;  // the 512 MiB fsdax namespace pmem0

class SnapshotSim : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    create("region0", 512 * kMiB, NamespaceMode::fsdax);  // pmem0
    create("region1", 256 * kMiB, NamespaceMode::fsdax);  // pmem1: 512000 sectors
    ASSERT_TRUE(fs().make_filesystem("/dev/pmem0", FsType::ext4));
    ASSERT_TRUE(dm().create("v+real", "", {{0, kSectors, "linear", "/dev/pmem0 0"}}));
    ASSERT_TRUE(dm().create("v+cow", "", {{0, 512000, "linear", "/dev/pmem1 0"}}));
  }
  void stack() {
    ASSERT_TRUE(dm().create("v@s", "", {snap("snapshot")}));
    ASSERT_TRUE(dm().create("v", "", {{0, kSectors, "snapshot-origin", "/dev/mapper/v+real"}}));
  }
  static DmTarget snap(std::string type) {
    return {0, kSectors, std::move(type), "/dev/mapper/v+real /dev/mapper/v+cow P 8"};
  }
  DeviceMapper& dm() { return host_->device_mapper(); }
  Filesystems& fs() { return host_->filesystems(); }
};

TEST_F(SnapshotSim, StatusCountsChunksLikeThePersistentStore) {
  stack();
  EXPECT_EQ(*dm().status("v@s"), std::vector<std::string>{"16/512000 16"});
  EXPECT_EQ(*dm().status("v"), std::vector<std::string>{""});
  // 513 exceptions fill two metadata areas of 256 and start a third (VM: "4136/512000 32").
  // The sim counts a write as its 4 KiB chunks plus one (the inode's).
  ASSERT_TRUE(host_->write_file("/dev/mapper/v", "/f0", std::string(512 * 4096, 'x')));
  EXPECT_EQ(*dm().status("v@s"), std::vector<std::string>{"4136/512000 32"});
  // The store outlives its device: re-created, it shows the same.
  ASSERT_TRUE(dm().remove("v@s"));
  ASSERT_TRUE(dm().create("v@s", "", {snap("snapshot")}));
  EXPECT_EQ(*dm().status("v@s"), std::vector<std::string>{"4136/512000 32"});
  EXPECT_FALSE(host_->read_file("/dev/mapper/v@s", "/f0"));
}

TEST_F(SnapshotSim, LvmStyleMergeNeedsTheSnapshotSuspended) {
  stack();
  ASSERT_TRUE(host_->write_file("/dev/mapper/v", "/f", "after"));
  ASSERT_TRUE(dm().suspend("v"));
  ASSERT_TRUE(dm().reload("v", {snap("snapshot-merge")}));
  auto const early = dm().resume("v");
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, Errc::invalid_argument);
  EXPECT_NE(early.error().message.find(
                "Unable to perform snapshot handover until source is suspended."),
            std::string::npos)
      << early.error().message;
  ASSERT_TRUE(dm().suspend("v@s"));
  ASSERT_TRUE(dm().resume("v"));
  EXPECT_EQ(*dm().status("v@s"), std::vector<std::string>{"Invalid"});
  EXPECT_EQ(*dm().status("v"), std::vector<std::string>{"16/512000 16"});
  EXPECT_FALSE(host_->read_file("/dev/mapper/v", "/f")) << "merged back to the snapshot's data";
  // The device was BIO_BASED from its first table: the DAX table may come back in place.
  ASSERT_TRUE(dm().remove("v@s"));
  ASSERT_TRUE(dm().suspend("v"));
  ASSERT_TRUE(dm().reload("v", {{0, kSectors, "linear", "/dev/pmem0 0"}}));
  ASSERT_TRUE(dm().resume("v"));
  EXPECT_TRUE(dm().list_devices()->back().dax || dm().list_devices()->front().dax);
}

TEST_F(SnapshotSim, MergeBeneathAMountedOriginIsAllowedButNoted) {
  stack();
  ASSERT_TRUE(fs().mount("/dev/mapper/v", "/mnt/o", FsType::ext4, DaxMode::never));
  ASSERT_TRUE(dm().suspend("v@s"));
  ASSERT_TRUE(dm().reload("v@s", {snap("snapshot-merge")}));
  ASSERT_TRUE(dm().resume("v@s"));  // 6.1 does not refuse (and corrupts the mounted ext4)
  auto const hazards = host_->state().hazards;
  ASSERT_FALSE(hazards.empty());
  EXPECT_NE(hazards.back().note.find("/mnt/o"), std::string::npos);
}

TEST_F(SnapshotSim, CowHoldingXfsIsRefusedAndExt4IsANewStore) {
  create("region1", 512 * kMiB, NamespaceMode::fsdax);  // pmem1.1
  ASSERT_TRUE(fs().make_filesystem("/dev/pmem1.1", FsType::xfs));
  auto const table = std::vector<DmTarget>{
      {0, kSectors, "snapshot", "/dev/mapper/v+real /dev/pmem1.1 P 8"}};
  auto const refused = dm().create("u@s", "", table);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("Failed to read snapshot metadata (-ENXIO)"),
            std::string::npos)
      << refused.error().message;
  ASSERT_TRUE(fs().make_filesystem("/dev/pmem1.1", FsType::ext4));
  ASSERT_TRUE(dm().create("u@s", "", table));
  EXPECT_EQ(*dm().status("u@s"), std::vector<std::string>{"16/1028096 16"});
}

TEST_F(SnapshotSim, ZeroedStoreIsANewStoreAndOldExceptionsAreGone) {
  create("region1", 512 * kMiB, NamespaceMode::fsdax);  // pmem1.1
  ASSERT_TRUE(fs().make_filesystem("/dev/pmem1.1", FsType::xfs));
  auto const zeroed = host_->block_devices().zero("/dev/pmem1.1", 1 * kMiB);
  ASSERT_TRUE(zeroed) << zeroed.error().message;
  EXPECT_EQ(*fs().probe_signature("/dev/pmem1.1"), "");
  auto const table = std::vector<DmTarget>{
      {0, kSectors, "snapshot", "/dev/mapper/v+real /dev/pmem1.1 P 8"}};
  ASSERT_TRUE(dm().create("u@s", "", table));
  EXPECT_EQ(*dm().status("u@s"), std::vector<std::string>{"16/1028096 16"});
  auto const unaligned = host_->block_devices().zero("/dev/pmem1.1", 100);
  ASSERT_FALSE(unaligned);
  EXPECT_EQ(unaligned.error().code, Errc::invalid_argument);
}

TEST_F(SnapshotSim, CopyNeedsRunningDevicesAndRoMountsRefuseRwElsewhere) {
  create("region1", 512 * kMiB, NamespaceMode::fsdax);  // pmem1.1
  ASSERT_TRUE(dm().suspend("v+real"));
  auto const blocked = host_->block_devices().copy("/dev/mapper/v+real", "/dev/pmem1.1", 4096);
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, Errc::io_error);
  ASSERT_TRUE(dm().resume("v+real"));
  auto const stats =
      host_->block_devices().copy("/dev/mapper/v+real", "/dev/pmem1.1", kSectors * 512);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(*fs().probe_signature("/dev/pmem1.1"), "ext4");
  ASSERT_TRUE(fs().mount_read_only("/dev/pmem1.1", "/mnt/k", FsType::ext4));
  EXPECT_EQ(fs().list_mounts()->back().options, "ro,relatime,norecovery,dax=never");
  auto const rw = fs().mount("/dev/pmem1.1", "/mnt/k2", FsType::ext4, DaxMode::never);
  ASSERT_FALSE(rw);
  EXPECT_NE(rw.error().message.find("Can't mount, would change RO state"), std::string::npos);
  EXPECT_FALSE(host_->write_file("/dev/pmem1.1", "/g", "x")) << "read-only";
}

}  // namespace
}  // namespace daxd::host::sim
