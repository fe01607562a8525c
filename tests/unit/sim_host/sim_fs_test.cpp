// SPDX-License-Identifier: Apache-2.0
// The sim's filesystems: mkfs limits, DAX mount rules, busy unmount, freeze/thaw, the mount table.
#include <gtest/gtest.h>

#include "tests/unit/sim_host/sim_test_util.h"

namespace daxd::host::sim {
namespace {

using testing::SimTest;
using FsSim = SimTest;

TEST_F(FsSim, MountTableLooksLikeProcMounts) {
  mounted_fsdax("/mnt/db");
  auto const mounts = host_->filesystems().list_mounts();
  ASSERT_TRUE(mounts);
  ASSERT_EQ(mounts->size(), 1U);
  auto const& m = mounts->front();
  EXPECT_EQ(m.source, "/dev/pmem0");
  EXPECT_EQ(m.target, "/mnt/db");
  EXPECT_EQ(m.fstype, "ext4");
  EXPECT_EQ(m.options, "rw,relatime,dax=always");
  EXPECT_EQ(m.dax, "always");
  EXPECT_EQ(m.dev, (DevNumber{259, 0}));
  EXPECT_EQ(*host_->filesystems().probe_signature("/dev/pmem0"), "ext4");
}

TEST_F(FsSim, XfsAndDaxInodeOptions) {
  create("region0", 512 * kMiB, NamespaceMode::fsdax);
  create("region1", 512 * kMiB, NamespaceMode::fsdax);
  auto& fs = host_->filesystems();
  ASSERT_TRUE(fs.make_filesystem("/dev/pmem0", FsType::xfs));
  ASSERT_TRUE(fs.make_filesystem("/dev/pmem1", FsType::ext4));
  EXPECT_EQ(fs.mount("/dev/pmem0", "/mnt/x", FsType::ext4, DaxMode::always).error().code,
            Errc::invalid_argument);  // wrong type
  ASSERT_TRUE(fs.mount("/dev/pmem0", "/mnt/x", FsType::xfs, DaxMode::always));
  ASSERT_TRUE(fs.mount("/dev/pmem1", "/mnt/e", FsType::ext4, DaxMode::inode));
  auto const mounts = fs.list_mounts();
  EXPECT_EQ(mounts->at(0).options,
            "rw,relatime,attr2,dax=always,inode64,logbufs=8,logbsize=32k,noquota");
  EXPECT_EQ(mounts->at(0).dax, "always");
  EXPECT_EQ(mounts->at(1).options, "rw,relatime,dax=inode");
  EXPECT_EQ(mounts->at(1).dax, "inode");
  EXPECT_EQ(mounts->at(1).dev, (DevNumber{259, 1}));
}

TEST_F(FsSim, XfsNeedsThreeHundredMegabytes) {
  auto const ns = create("region0", 256 * kMiB, NamespaceMode::fsdax);
  auto const r = host_->filesystems().make_filesystem("/dev/" + ns.blockdev, FsType::xfs);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find("Filesystem must be larger than 300MB."), std::string::npos);
  auto const big = create("region0", 512 * kMiB, NamespaceMode::fsdax);
  EXPECT_TRUE(host_->filesystems().make_filesystem("/dev/" + big.blockdev, FsType::xfs));
}

TEST_F(FsSim, MkfsIsBusyWhileMounted) {
  mounted_fsdax("/mnt/db");
  EXPECT_EQ(host_->filesystems().make_filesystem("/dev/pmem0", FsType::ext4).error().code,
            Errc::busy);
}

TEST_F(FsSim, DaxMountOnANonDaxDeviceIsRefused) {
  create("region0", 512 * kMiB, NamespaceMode::fsdax);
  ASSERT_TRUE(host_->device_mapper().create(
      "snap0", "", {{0, 1028096, "snapshot", "/dev/pmem0 /dev/loop0 P 8"}}));
  ASSERT_TRUE(host_->filesystems().make_filesystem("/dev/mapper/snap0", FsType::ext4));
  auto const r =
      host_->filesystems().mount("/dev/mapper/snap0", "/mnt/s", FsType::ext4, DaxMode::always);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find("DAX unsupported by block device"), std::string::npos);
  EXPECT_TRUE(
      host_->filesystems().mount("/dev/mapper/snap0", "/mnt/s", FsType::ext4, DaxMode::never));
  EXPECT_EQ(host_->filesystems().list_mounts()->front().source, "/dev/mapper/snap0");
}

TEST_F(FsSim, MountErrors) {
  auto& fs = host_->filesystems();
  EXPECT_EQ(fs.mount("/dev/pmem7", "/mnt/x", FsType::ext4, DaxMode::always).error().code,
            Errc::not_found);
  auto const ns = create("region0", 512 * kMiB, NamespaceMode::fsdax);
  EXPECT_EQ(fs.mount("/dev/pmem0", "/mnt/x", FsType::ext4, DaxMode::always).error().code,
            Errc::invalid_argument);  // no signature
  ASSERT_TRUE(fs.make_filesystem("/dev/pmem0", FsType::ext4));
  ASSERT_TRUE(fs.mount("/dev/pmem0", "/mnt/x", FsType::ext4, DaxMode::always));
  create("region1", 512 * kMiB, NamespaceMode::fsdax);
  ASSERT_TRUE(fs.make_filesystem("/dev/pmem1", FsType::ext4));
  EXPECT_EQ(fs.mount("/dev/pmem1", "/mnt/x", FsType::ext4, DaxMode::always).error().code,
            Errc::busy);
  EXPECT_EQ(fs.unmount("/mnt/none").error().code, Errc::not_found);
}

TEST_F(FsSim, UnmountIsBusyWhileAProcessHoldsTheFilesystem) {
  mounted_fsdax("/mnt/db");
  ASSERT_TRUE(
      host_->add_process(process(100, "postgres", {cwd("/mnt/db"), mapping("/mnt/db/wal", true)})));
  auto const r = host_->filesystems().unmount("/mnt/db");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::busy);
  EXPECT_EQ(r.error().message, "/mnt/db: target is busy");
  ASSERT_EQ(r.error().blockers.size(), 2U);
  EXPECT_TRUE(r.error().blockers[1].map_sync);
  EXPECT_TRUE(r.error().blockers[1].dax);

  ASSERT_TRUE(host_->processes().send_signal(100, SIGTERM));
  EXPECT_TRUE(host_->filesystems().unmount("/mnt/db"));
}

TEST_F(FsSim, FreezeAndThaw) {
  mounted_fsdax("/mnt/db");
  auto& fs = host_->filesystems();
  ASSERT_TRUE(fs.freeze("/mnt/db"));
  EXPECT_TRUE(host_->state().mounts.front().frozen);
  EXPECT_EQ(fs.freeze("/mnt/db").error().code, Errc::busy);
  EXPECT_EQ(host_->write_file("/dev/pmem0", "/x", "y").error().code, Errc::busy);
  ASSERT_TRUE(fs.thaw("/mnt/db"));
  EXPECT_TRUE(fs.thaw("/mnt/db"));  // thawing a thawed fs succeeds
  EXPECT_FALSE(host_->state().mounts.front().frozen);
  EXPECT_EQ(fs.freeze("/mnt/none").error().code, Errc::not_found);
}

TEST_F(FsSim, MapSyncNeedsDax) {
  auto const ns = create("region0", 512 * kMiB, NamespaceMode::fsdax);
  ASSERT_TRUE(host_->filesystems().make_filesystem("/dev/pmem0", FsType::ext4));
  ASSERT_TRUE(host_->filesystems().mount("/dev/pmem0", "/mnt/n", FsType::ext4, DaxMode::never));
  EXPECT_EQ(host_->add_process(process(5, "app", {mapping("/mnt/n/f", true)})).error().code,
            Errc::unsupported);
  EXPECT_TRUE(host_->state().processes.empty());
}

TEST_F(FsSim, FileContentsFollowTheMediaThroughDm) {
  create("region0", 512 * kMiB, NamespaceMode::fsdax);
  ASSERT_TRUE(host_->device_mapper().create("v", "", {{0, 1028096, "linear", "/dev/pmem0 0"}}));
  ASSERT_TRUE(host_->filesystems().make_filesystem("/dev/mapper/v", FsType::ext4));
  ASSERT_TRUE(host_->write_file("/dev/mapper/v", "/data", std::string("\x00\x01\xff", 3)));
  ASSERT_TRUE(host_->device_mapper().remove("v"));
  // Recreated on the same media, the filesystem and its files are still there.
  ASSERT_TRUE(host_->device_mapper().create("w", "", {{0, 1028096, "linear", "/dev/pmem0 0"}}));
  EXPECT_EQ(*host_->read_file("/dev/mapper/w", "/data"), std::string("\x00\x01\xff", 3));
  EXPECT_EQ(*host_->read_file("/dev/pmem0", "/data"), std::string("\x00\x01\xff", 3));
  // A snapshot starts as an image of its origin and then diverges.
  ASSERT_TRUE(host_->device_mapper().create(
      "s", "", {{0, 1028096, "snapshot", "/dev/mapper/w /dev/loop0 P 8"}}));
  ASSERT_TRUE(host_->write_file("/dev/mapper/w", "/data", "new"));
  EXPECT_EQ(*host_->read_file("/dev/mapper/s", "/data"), std::string("\x00\x01\xff", 3));
}

}  // namespace
}  // namespace daxd::host::sim
