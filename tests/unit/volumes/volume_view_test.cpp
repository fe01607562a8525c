// SPDX-License-Identifier: Apache-2.0
// The inventory's volume view: a pure join of desired specs, dm devices and mounts.
#include <gtest/gtest.h>

#include "daemon/orchestrator/volume_view.h"

namespace daxd::testing {
namespace {

Volume spec(std::string const& name, std::string const& mountpoint = "/mnt/" + std::string("x")) {
  Volume v;
  v.name = name;
  v.dm_name = dm_name_for(name);
  v.filesystem = FsType::ext4;
  v.mountpoint = mountpoint;
  v.dax = DaxMode::always;
  v.extents = {Extent{"a", 0, 64u << 20}};
  v.size = 64u << 20;
  return v;
}

DmDevice dm(std::string const& name, std::uint32_t minor, bool dax = true) {
  DmDevice d;
  d.name = name;
  d.uuid = "DAXD-" + name.substr(5);
  d.dev = DevNumber{254, minor};
  d.dax = dax;
  d.table = {DmTarget{0, 131072, "linear", "259:0 0"}};
  return d;
}

MountEntry mount(std::string const& dm_name, std::uint32_t minor, std::string const& target,
                 std::string const& dax) {
  return MountEntry{"/dev/mapper/" + dm_name, target, "ext4", "rw,dax=" + dax,
                    DevNumber{254, minor},    dax};
}

TEST(VolumeView, JoinsSpecsWithDevicesAndMounts) {
  std::vector<Volume> const desired{spec("db", "/mnt/db"), spec("logs", "/mnt/logs"),
                                    spec("gone", "/mnt/gone"), spec("susp", "/mnt/susp"),
                                    spec("raw", "")};
  auto suspended = dm("daxd-susp", 3);
  suspended.suspended = true;
  std::vector<DmDevice> const devices{dm("daxd-db", 0), dm("daxd-logs", 1, /*dax=*/false),
                                      suspended, dm("daxd-raw", 4), dm("other", 7)};
  std::vector<MountEntry> const mounts{mount("daxd-db", 0, "/mnt/db", "always"),
                                       mount("daxd-susp", 3, "/mnt/susp", "always")};
  auto const view = orchestrator::build_volume_view(desired, devices, mounts);
  ASSERT_EQ(view.size(), 5u);  // by name: db, gone, logs, raw, susp
  EXPECT_EQ(view[0].name, "db");
  EXPECT_EQ(view[0].state, VolumeState::active);
  EXPECT_EQ(view[0].blockdev, "dm-0");
  EXPECT_TRUE(view[0].dax_capable);
  EXPECT_EQ(view[1].name, "gone");
  EXPECT_EQ(view[1].state, VolumeState::failed);
  EXPECT_EQ(view[1].blockdev, "");
  EXPECT_FALSE(view[1].dax_capable);
  EXPECT_EQ(view[2].name, "logs");
  EXPECT_EQ(view[2].state, VolumeState::unmounted);
  EXPECT_EQ(view[2].blockdev, "dm-1");
  EXPECT_FALSE(view[2].dax_capable);
  EXPECT_EQ(view[3].name, "raw");
  EXPECT_EQ(view[3].state, VolumeState::active);  // no mountpoint: nothing to mount
  EXPECT_EQ(view[4].name, "susp");
  EXPECT_EQ(view[4].state, VolumeState::degraded);
}

TEST(VolumeView, AMountWithAnotherDaxModeIsDegraded) {
  auto const view = orchestrator::build_volume_view({spec("db", "/mnt/db")}, {dm("daxd-db", 0)},
                                                    {mount("daxd-db", 0, "/mnt/db", "never")});
  ASSERT_EQ(view.size(), 1u);
  EXPECT_EQ(view[0].state, VolumeState::degraded);
}

TEST(VolumeView, AnErrorTargetIsDegradedAndSomethingElseMountedIsUnmounted) {
  auto broken = dm("daxd-db", 0);
  broken.table.push_back(DmTarget{131072, 8, "error", ""});
  EXPECT_EQ(orchestrator::build_volume_view({spec("db", "/mnt/db")}, {broken}, {})[0].state,
            VolumeState::degraded);
  MountEntry other{"/dev/pmem1", "/mnt/db", "ext4", "rw", DevNumber{259, 1}, ""};
  EXPECT_EQ(orchestrator::build_volume_view({spec("db", "/mnt/db")}, {dm("daxd-db", 0)}, {other})[0]
                .state,
            VolumeState::unmounted);
}

TEST(VolumeView, EmptyInputsGiveNoVolumes) {
  EXPECT_TRUE(orchestrator::build_volume_view({}, {dm("daxd-db", 0)}, {}).empty());
}

}  // namespace
}  // namespace daxd::testing
