// SPDX-License-Identifier: Apache-2.0
// device-mapper and filesystem scenarios on an fsdax namespace: DAX capability, reload, dax mount.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/conformance/conformance_fixture.h"

namespace daxd::conformance {
namespace {

// The non-DAX block device both hosts have: the sim fixture's loop0, the guest's losetup'd file.
constexpr char kLoop[] = "/dev/loop0";

class DmConformance : public Conformance {
 protected:
  void SetUp() override {
    Conformance::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    CONF_ASSIGN_OR_FAIL(
        base_, nvdimm().create_namespace(spec("c-dmbase", NamespaceMode::fsdax, 256 * kMiB)));
  }
  Namespace base_;
};

TEST_F(DmConformance, LinearOverFsdaxIsDax) {
  CONF_ASSIGN_OR_FAIL(auto const created, dm().create("c-lin", "CONF-c-lin", linear_over(base_)));
  CONF_ASSIGN_OR_FAIL(auto const listed, find_dm("c-lin"));
  for (DmDevice const& d : {created, listed}) {
    EXPECT_TRUE(d.dax);
    EXPECT_FALSE(d.suspended);
    EXPECT_EQ(d.uuid, "CONF-c-lin");
    ASSERT_EQ(d.table.size(), 1U);
    EXPECT_EQ(d.table[0].type, "linear");
    EXPECT_EQ(d.table[0].length, base_.size / 512);
  }
}

TEST_F(DmConformance, ReloadWithNonDaxTableIsRefused) {
  CONF_ASSIGN_OR_FAIL(auto const created, dm().create("c-lin", "CONF-c-lin", linear_over(base_)));
  ASSERT_TRUE(created.dax);
  // The kernel fixes the md type (DAX_BIO_BASED) at the first load: "can't change device type".
  auto const reload =
      dm().reload("c-lin", {DmTarget{0, 65536, "linear", std::string(kLoop) + " 0"}});
  ASSERT_FALSE(reload.has_value());
  EXPECT_EQ(reload.error().code, Errc::invalid_argument) << describe(reload.error());
  CONF_ASSIGN_OR_FAIL(auto const after, find_dm("c-lin"));
  EXPECT_TRUE(after.dax);
  EXPECT_FALSE(after.suspended);
  ASSERT_EQ(after.table.size(), 1U);
  EXPECT_EQ(after.table[0].length, base_.size / 512);
}

TEST_F(DmConformance, Ext4DaxMountOnLinearIsListed) {
  CONF_ASSIGN_OR_FAIL(auto const lin, dm().create("c-lin", "CONF-c-lin", linear_over(base_)));
  std::string const device = "/dev/mapper/" + lin.name;
  CONF_ASSERT_OK(fs().make_filesystem(device, FsType::ext4));
  CONF_ASSIGN_OR_FAIL(auto const signature, fs().probe_signature(device));
  EXPECT_EQ(signature, "ext4");
  CONF_ASSERT_OK(fs().mount(device, "/mnt/c-dax", FsType::ext4, DaxMode::always));
  CONF_ASSIGN_OR_FAIL(auto const m, find_mount("/mnt/c-dax"));
  EXPECT_EQ(m.source, device);
  EXPECT_EQ(m.fstype, "ext4");
  EXPECT_EQ(m.dax, "always");
  EXPECT_THAT(m.options, ::testing::HasSubstr("dax=always"));
  EXPECT_EQ(m.dev.major, lin.dev.major);
  EXPECT_EQ(m.dev.minor, lin.dev.minor);
  CONF_ASSERT_OK(fs().unmount("/mnt/c-dax"));
  EXPECT_FALSE(find_mount("/mnt/c-dax").has_value());
}

}  // namespace
}  // namespace daxd::conformance
