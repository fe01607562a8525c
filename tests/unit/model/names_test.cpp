// SPDX-License-Identifier: Apache-2.0
// Name, kernel name and mountpoint validation.
#include "daemon/model/names.h"

#include <gtest/gtest.h>

#include <string>

namespace daxd {
namespace {

TEST(ValidateName, AcceptsSimpleNames) {
  EXPECT_TRUE(validate_name("volume", "db"));
  EXPECT_TRUE(validate_name("volume", "db-1.data_x"));
  EXPECT_TRUE(validate_name("volume", std::string(63, 'a')));
}

TEST(ValidateName, RejectsWhatCouldEscapeADmNameOrPath) {
  for (auto const* bad : {"", "-db", ".db", "a/b", "a b", "db;rm", "..", "ä"}) {
    auto const r = validate_name("volume", bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
  }
  EXPECT_FALSE(validate_name("volume", std::string(64, 'a')));
}

TEST(ValidateKernelName, RegionsAndNamespaces) {
  EXPECT_TRUE(validate_kernel_name("region", "region0"));
  EXPECT_TRUE(validate_kernel_name("namespace", "namespace0.12"));
  EXPECT_FALSE(validate_kernel_name("region", "region"));
  EXPECT_FALSE(validate_kernel_name("region", "region0x"));
  EXPECT_FALSE(validate_kernel_name("namespace", "namespace0."));
  EXPECT_FALSE(validate_kernel_name("namespace", "namespace0.1.2"));
}

TEST(ValidateMountpoint, RejectsRelativeDotsAndKernelTrees) {
  EXPECT_TRUE(validate_mountpoint("/mnt/db"));
  for (auto const* bad : {"", "mnt", "/", "/mnt/../etc", "/mnt/./x", "/mnt//x", "/mnt/", "/proc",
                          "/proc/1", "/sys/x", "/dev/shm", "/run/daxd/x"}) {
    EXPECT_FALSE(validate_mountpoint(bad)) << bad;
  }
  EXPECT_TRUE(validate_mountpoint("/devices"));  // only the /dev tree itself is refused
}

}  // namespace
}  // namespace daxd
