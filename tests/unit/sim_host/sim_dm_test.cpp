// SPDX-License-Identifier: Apache-2.0
// The sim's device-mapper: the type fixed at first load, table checks, busy remove, suspend notes.
#include <gtest/gtest.h>

#include "tests/unit/sim_host/sim_test_util.h"

namespace daxd::host::sim {
namespace {

using testing::SimTest;

class DmSim : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    create("region0", 512 * kMiB, NamespaceMode::fsdax);  // pmem0: 1028096 sectors
  }
  DeviceMapper& dm() { return host_->device_mapper(); }
};

constexpr char kTypeText[] =
    "device-mapper: ioctl: can't change device type (old=3 vs new=1) after initial table load.";

TEST_F(DmSim, LinearOnFsdaxIsDaxAndCannotBecomeNonDax) {
  auto const lin = dm().create("lin0", "DAXD-1", {{0, 1028096, "linear", "/dev/pmem0 0"}});
  ASSERT_TRUE(lin) << lin.error().message;
  EXPECT_TRUE(lin->dax);
  EXPECT_EQ(lin->dev, (DevNumber{254, 0}));

  auto const r = dm().reload("lin0", {{0, 1028096, "linear", "/dev/loop0 0"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  EXPECT_NE(r.error().message.find(kTypeText), std::string::npos) << r.error().message;

  ASSERT_TRUE(dm().create("lin0-real", "", {{0, 1028096, "linear", "/dev/pmem0 0"}}));
  auto const origin =
      dm().reload("lin0", {{0, 1028096, "snapshot-origin", "/dev/mapper/lin0-real"}});
  ASSERT_FALSE(origin);
  EXPECT_NE(origin.error().message.find(kTypeText), std::string::npos);

  // A two-segment DAX table is fine.
  ASSERT_TRUE(dm().suspend("lin0"));
  ASSERT_TRUE(dm().reload("lin0", {{0, 514048, "linear", "/dev/pmem0 0"},
                                   {514048, 514048, "linear", "/dev/pmem0 514048"}}));
  ASSERT_TRUE(dm().resume("lin0"));
  auto const list = dm().list_devices();
  EXPECT_EQ(list->front().table.size(), 2U);
  EXPECT_TRUE(list->front().dax);
}

TEST_F(DmSim, NonDaxFirstTableAllowsDaxAndBackLikeTheKernel) {
  ASSERT_TRUE(dm().create("w", "", {{0, 1028096, "linear", "/dev/loop0 0"}}));
  EXPECT_FALSE(dm().list_devices()->front().dax);
  ASSERT_TRUE(dm().reload("w", {{0, 1028096, "linear", "/dev/pmem0 0"}}));
  ASSERT_TRUE(dm().resume("w"));
  EXPECT_TRUE(dm().list_devices()->front().dax);
  ASSERT_TRUE(dm().reload("w", {{0, 1028096, "snapshot-origin", "/dev/pmem0"}}));
  ASSERT_TRUE(dm().resume("w"));
  EXPECT_FALSE(dm().list_devices()->front().dax);
}

TEST_F(DmSim, SnapshotTargetsAreNotDax) {
  auto const snap =
      dm().create("snap0", "", {{0, 1028096, "snapshot", "/dev/pmem0 /dev/loop0 P 8"}});
  ASSERT_TRUE(snap) << snap.error().message;
  EXPECT_FALSE(snap->dax);
}

TEST_F(DmSim, TablesAreValidated) {
  EXPECT_EQ(dm().create("a", "", {}).error().code, Errc::invalid_argument);
  EXPECT_EQ(dm().create("b", "", {{0, 1028097, "linear", "/dev/pmem0 0"}}).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(dm().create("c", "", {{8, 100, "linear", "/dev/pmem0 0"}}).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(dm().create("d", "", {{0, 100, "linear", "/dev/pmem9 0"}}).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(dm().create("e", "", {{0, 0, "linear", "/dev/pmem0 0"}}).error().code,
            Errc::invalid_argument);
  EXPECT_EQ(dm().create("f", "", {{0, 100, "frobnicate", ""}}).error().code,
            Errc::invalid_argument);
  EXPECT_TRUE(dm().list_devices()->empty());
  ASSERT_TRUE(dm().create("g", "", {{0, 100, "linear", "259:0 0"}}));
  EXPECT_EQ(dm().create("g", "", {{0, 100, "linear", "/dev/pmem0 0"}}).error().code,
            Errc::already_exists);
}

TEST_F(DmSim, ExclusiveClaimsBetweenDmAndMounts) {
  ASSERT_TRUE(host_->filesystems().make_filesystem("/dev/pmem0", FsType::ext4));
  ASSERT_TRUE(host_->filesystems().mount("/dev/pmem0", "/mnt/p", FsType::ext4, DaxMode::always));
  EXPECT_EQ(dm().create("a", "", {{0, 8, "linear", "/dev/pmem0 0"}}).error().code, Errc::busy);
  ASSERT_TRUE(host_->filesystems().unmount("/mnt/p"));
  ASSERT_TRUE(dm().create("a", "", {{0, 8, "linear", "/dev/pmem0 0"}}));
  ASSERT_TRUE(dm().create("b", "", {{0, 8, "linear", "/dev/pmem0 8"}}));  // dm shares its claim
  EXPECT_EQ(host_->filesystems()
                .mount("/dev/pmem0", "/mnt/p", FsType::ext4, DaxMode::always)
                .error()
                .code,
            Errc::busy);
}

TEST_F(DmSim, UnknownNamesAreNotFound) {
  EXPECT_EQ(dm().suspend("nope").error().code, Errc::not_found);
  EXPECT_EQ(dm().resume("nope").error().code, Errc::not_found);
  EXPECT_EQ(dm().reload("nope", {{0, 8, "linear", "/dev/pmem0 0"}}).error().code, Errc::not_found);
  EXPECT_EQ(dm().remove("nope").error().code, Errc::not_found);
}

TEST_F(DmSim, RemoveIsBusyWhenMountedOrOpen) {
  ASSERT_TRUE(dm().create("v", "", {{0, 1028096, "linear", "/dev/pmem0 0"}}));
  ASSERT_TRUE(host_->filesystems().make_filesystem("/dev/mapper/v", FsType::ext4));
  ASSERT_TRUE(host_->filesystems().mount("/dev/mapper/v", "/mnt/v", FsType::ext4, DaxMode::always));
  EXPECT_EQ(dm().remove("v").error().code, Errc::busy);
  ASSERT_TRUE(host_->filesystems().unmount("/mnt/v"));
  ASSERT_TRUE(host_->add_process(process(7, "dd", {open_fd("/dev/mapper/v")})));
  auto const r = dm().remove("v");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::busy);
  EXPECT_EQ(r.error().blockers.front().pid, 7);
  ASSERT_TRUE(host_->remove_process(7));
  EXPECT_TRUE(dm().remove("v"));
}

TEST_F(DmSim, SuspendDoesNotStopDaxMappingsAndSaysSo) {
  ASSERT_TRUE(dm().create("v", "", {{0, 1028096, "linear", "/dev/pmem0 0"}}));
  ASSERT_TRUE(host_->filesystems().make_filesystem("/dev/mapper/v", FsType::ext4));
  ASSERT_TRUE(host_->filesystems().mount("/dev/mapper/v", "/mnt/v", FsType::ext4, DaxMode::always));
  ASSERT_TRUE(host_->add_process(process(9, "db", {mapping("/mnt/v/data", /*map_sync=*/true)})));
  ASSERT_TRUE(dm().suspend("v"));
  auto const s = host_->state();
  EXPECT_EQ(s.dm_devices.front().dax_mappings_at_suspend, std::vector<int>{9});
  ASSERT_EQ(s.hazards.size(), 1U);
  EXPECT_EQ(s.hazards.front().op, "dm.suspend");
  EXPECT_TRUE(dm().list_devices()->front().suspended);
  ASSERT_TRUE(dm().resume("v"));
  EXPECT_FALSE(dm().list_devices()->front().suspended);
}

}  // namespace
}  // namespace daxd::host::sim
