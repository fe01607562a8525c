// SPDX-License-Identifier: Apache-2.0
// Size parsing and ndctl's human size format.
#include "daemon/model/size.h"

#include <gtest/gtest.h>

namespace daxd {
namespace {

TEST(ParseSize, AcceptsBytesAndBinarySuffixes) {
  EXPECT_EQ(parse_size("4096").value(), 4096u);
  EXPECT_EQ(parse_size("4K").value(), 4096u);
  EXPECT_EQ(parse_size("256M").value(), 256u << 20);
  EXPECT_EQ(parse_size("1G").value(), 1u << 30);
  EXPECT_EQ(parse_size("1GiB").value(), 1u << 30);
  EXPECT_EQ(parse_size("2t").value(), 2ull << 40);
}

TEST(ParseSize, RejectsJunkZeroAndOverflow) {
  for (auto const* bad :
       {"", "G", "-1G", "1.5G", "1 G", "1X", "1GG", "99999999999999999999", "17179869184G"}) {
    auto const r = parse_size(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << bad;
  }
  EXPECT_FALSE(parse_size("0"));
  EXPECT_EQ(parse_size("0", /*allow_zero=*/true).value(), 0u);
}

TEST(FormatSizeHuman, MatchesNdctl) {
  EXPECT_EQ(format_size_human(1073741824), "1024.00 MiB (1073.74 MB)");
  EXPECT_EQ(format_size_human(526385152), "502.00 MiB (526.39 MB)");
  EXPECT_EQ(format_size_human(512), "512");
  EXPECT_EQ(format_size_human(4096000), "4096000");
  EXPECT_EQ(format_size_human(4ull << 30), "4.00 GiB (4.29 GB)");
}

}  // namespace
}  // namespace daxd
