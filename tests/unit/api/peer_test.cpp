// SPDX-License-Identifier: Apache-2.0
// Group lookup and admin membership through NSS (root and nobody exist on every test machine).
#include "api/peer.h"

#include <gtest/gtest.h>

namespace daxd::api {
namespace {

TEST(Peer, LookupGroup) {
  auto const root = lookup_group("root");
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_EQ(*root, 0U);
  auto const missing = lookup_group("no-such-group-daxd-test");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::invalid_argument);
}

TEST(Peer, RootIsAlwaysAdmin) { EXPECT_TRUE(is_admin(0, 0, std::nullopt)); }

TEST(Peer, OthersNeedTheAdminGroup) {
  constexpr std::uint32_t kUser = 4242;
  constexpr std::uint32_t kGroup = 4343;
  EXPECT_FALSE(is_admin(kUser, kGroup, std::nullopt));
  EXPECT_FALSE(is_admin(kUser, kGroup, 4444U));
  EXPECT_TRUE(is_admin(kUser, kGroup, kGroup)) << "primary gid counts";
}

}  // namespace
}  // namespace daxd::api
