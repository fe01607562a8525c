// SPDX-License-Identifier: Apache-2.0
// The /proc parsers on fixture text taken from a real DAX guest (tests/vm notes).
#include "daemon/host/linux/proc_parsers.h"

#include <gtest/gtest.h>

namespace daxd::host::linux_impl {
namespace {

TEST(ProcParsers, MapsLineWithHexDevAndPath) {
  auto const e = parse_maps_line(
      "7f8967600000-7f8967800000 rw-s 00000000 103:00 12                         /mnt/a/msync.dat");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->start, 0x7f8967600000U);
  EXPECT_EQ(e->end, 0x7f8967800000U);
  EXPECT_EQ(e->perms, "rw-s");
  EXPECT_EQ(e->offset, 0U);
  EXPECT_EQ(e->dev, (DevNumber{259, 0}));  // 0x103 = 259
  EXPECT_EQ(e->inode, 12U);
  EXPECT_EQ(e->path, "/mnt/a/msync.dat");
}

TEST(ProcParsers, MapsLineKeepsSpacesAndDeletedSuffix) {
  auto const e =
      parse_maps_line("00400000-00452000 r-xp 0000a000 fd:1f 1234 /data/my file (deleted)\n");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->offset, 0xa000U);
  EXPECT_EQ(e->dev, (DevNumber{0xfd, 0x1f}));
  EXPECT_EQ(e->path, "/data/my file (deleted)");
}

TEST(ProcParsers, AnonymousMappingHasNoPath) {
  auto const e = parse_maps_line("7ffd1000-7ffd2000 rw-p 00000000 00:00 0 ");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->dev, (DevNumber{0, 0}));
  EXPECT_TRUE(e->path.empty());
}

TEST(ProcParsers, MalformedMapsLinesAreRejected) {
  EXPECT_FALSE(parse_maps_line("").has_value());
  EXPECT_FALSE(parse_maps_line("garbage").has_value());
  EXPECT_FALSE(parse_maps_line("7f00-7f01 rw-s 0 zz:00 1 /x").has_value());
  EXPECT_FALSE(parse_maps_line("7f00 rw-s 0 103:00 1 /x").has_value());
  EXPECT_FALSE(parse_maps_line("7f00-7f01 rw 0 103:00 1 /x").has_value());
}

TEST(ProcParsers, HexAndDecimalDevNumbers) {
  EXPECT_EQ(parse_hex_dev("103:00"), (DevNumber{259, 0}));
  EXPECT_EQ(parse_hex_dev("fc:01"), (DevNumber{252, 1}));
  EXPECT_EQ(parse_decimal_dev("259:3"), (DevNumber{259, 3}));
  EXPECT_FALSE(parse_hex_dev("103").has_value());
  EXPECT_FALSE(parse_decimal_dev("a:b").has_value());
}

TEST(ProcParsers, VmFlagsWithAndWithoutSf) {
  EXPECT_TRUE(vmflags_has("VmFlags: rd wr sh mr mw me ms sf sd hg", "sf"));
  EXPECT_FALSE(vmflags_has("VmFlags: rd wr sh mr mw me ms sd hg", "sf"));
  EXPECT_FALSE(vmflags_has("VmFlags: rd wr sh mr mw me ms sd", "sf"));
  EXPECT_FALSE(vmflags_has("Rss: sf", "sf"));
  EXPECT_FALSE(vmflags_has("VmFlags: rd wr sfx", "sf"));
}

TEST(ProcParsers, SmapsSyncPerMapping) {
  constexpr char kSmaps[] =
      "7f8967600000-7f8967800000 rw-s 00000000 103:00 12      /mnt/a/msync.dat\n"
      "Size:               2048 kB\n"
      "KernelPageSize:        4 kB\n"
      "Rss:                   4 kB\n"
      "VmFlags: rd wr sh mr mw me ms sf sd hg\n"
      "7f8967800000-7f8967a00000 rw-s 00000000 103:00 13      /mnt/a/plain.dat\n"
      "Size:               2048 kB\n"
      "VmFlags: rd wr sh mr mw me ms sd hg\n"
      "7ffd1000-7ffd2000 rw-p 00000000 00:00 0                [stack]\n"
      "Size:                  4 kB\n"
      "VmFlags: rd wr mr mw me gd ac\n";
  auto const maps = parse_smaps_sync(kSmaps);
  ASSERT_EQ(maps.size(), 3U);
  EXPECT_EQ(maps[0].start, 0x7f8967600000U);
  EXPECT_TRUE(maps[0].map_sync);
  EXPECT_FALSE(maps[1].map_sync);
  EXPECT_FALSE(maps[2].map_sync);
}

TEST(ProcParsers, SmapsWithoutVmFlagsIsNotSync) {
  auto const maps =
      parse_smaps_sync("00400000-00401000 r-xp 00000000 08:01 1 /bin/x\nSize: 4 kB\n");
  ASSERT_EQ(maps.size(), 1U);
  EXPECT_FALSE(maps[0].map_sync);
}

}  // namespace
}  // namespace daxd::host::linux_impl
