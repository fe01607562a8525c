// SPDX-License-Identifier: Apache-2.0
// LinuxBlockDevices on regular files (no root, no devices): bytes, size checks, errors.
#include "daemon/host/linux/linux_block_devices.h"

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/unit/linux_host/temp_dir.h"

namespace daxd::host::linux_impl {
namespace {

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
  return s;
}

void write(std::filesystem::path const& p, std::string const& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string read(std::filesystem::path const& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class LinuxBlockDevicesTest : public ::testing::Test {
 protected:
  daxd::testing::TempDir dir_;
  SystemClock clock_;
  LinuxBlockDevices blocks_{clock_, /*buffer_bytes=*/3 * 4096};  // several passes per copy
};

TEST_F(LinuxBlockDevicesTest, CopiesTheFirstLengthBytesInSeveralPasses) {
  auto const from = dir_.path() / "from";
  auto const to = dir_.path() / "to";
  write(from, pattern(10 * 4096));
  write(to, std::string(12 * 4096, 'z'));
  auto const stats = blocks_.copy(from.string(), to.string(), 8 * 4096);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->bytes, 8U * 4096);
  EXPECT_GE(stats->elapsed_ms, 0);
  auto const out = read(to);
  EXPECT_EQ(out.substr(0, 8 * 4096), pattern(10 * 4096).substr(0, 8 * 4096));
  EXPECT_EQ(out.substr(8 * 4096), std::string(4 * 4096, 'z'));
}

TEST_F(LinuxBlockDevicesTest, CopiesWithSeveralWorkersAndAShortLastChunk) {
  auto const from = dir_.path() / "from";
  auto const to = dir_.path() / "to";
  write(from, pattern(12 * 4096));
  write(to, std::string(12 * 4096, 'z'));
  // 11 pages in chunks of 2: six chunks, the last one page, over three workers.
  LinuxBlockDevices three{clock_, /*buffer_bytes=*/2 * 4096, /*workers=*/3};
  auto const stats = three.copy(from.string(), to.string(), 11 * 4096);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->bytes, 11U * 4096);
  auto const out = read(to);
  EXPECT_EQ(out.substr(0, 11 * 4096), pattern(12 * 4096).substr(0, 11 * 4096));
  EXPECT_EQ(out.substr(11 * 4096), std::string(4096, 'z'));
  // More workers than chunks: the copy is still whole.
  LinuxBlockDevices many{clock_, /*buffer_bytes=*/8 * 4096, /*workers=*/8};
  write(to, std::string(12 * 4096, 'z'));
  ASSERT_TRUE(many.copy(from.string(), to.string(), 12 * 4096));
  EXPECT_EQ(read(to), pattern(12 * 4096));
}

TEST_F(LinuxBlockDevicesTest, RefusesUnalignedShortAndMissing) {
  auto const from = dir_.path() / "from";
  auto const to = dir_.path() / "to";
  write(from, pattern(4 * 4096));
  write(to, std::string(2 * 4096, 'z'));
  auto const unaligned = blocks_.copy(from.string(), to.string(), 100);
  ASSERT_FALSE(unaligned);
  EXPECT_EQ(unaligned.error().code, Errc::invalid_argument);
  auto const short_target = blocks_.copy(from.string(), to.string(), 4 * 4096);
  ASSERT_FALSE(short_target);
  EXPECT_EQ(short_target.error().code, Errc::invalid_argument);
  EXPECT_NE(short_target.error().message.find("shorter"), std::string::npos);
  EXPECT_EQ(read(to), std::string(2 * 4096, 'z')) << "nothing written after a refusal";
  auto const missing = blocks_.copy((dir_.path() / "nope").string(), to.string(), 4096);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST_F(LinuxBlockDevicesTest, ZeroesTheFirstLengthBytesOnly) {
  auto const dev = dir_.path() / "dev";
  write(dev, pattern(8 * 4096));
  auto const zeroed = blocks_.zero(dev.string(), 5 * 4096);
  ASSERT_TRUE(zeroed) << zeroed.error().message;
  auto const out = read(dev);
  EXPECT_EQ(out.substr(0, 5 * 4096), std::string(5 * 4096, '\0'));
  EXPECT_EQ(out.substr(5 * 4096), pattern(8 * 4096).substr(5 * 4096));
  auto const too_long = blocks_.zero(dev.string(), 9 * 4096);
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace daxd::host::linux_impl
