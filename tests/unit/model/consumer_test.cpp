// SPDX-License-Identifier: Apache-2.0
// sort_and_merge: one entry per (pid, kind, path), flags kept, in one order whatever the scan.
#include "daemon/model/consumer.h"

#include <gtest/gtest.h>

namespace daxd {
namespace {

Consumer make(int pid, ConsumerKind kind, std::string path, bool map_sync = false,
              bool dax = false) {
  Consumer c;
  c.pid = pid;
  c.kind = kind;
  c.path = std::move(path);
  c.command = "app";
  c.map_sync = map_sync;
  c.dax = dax;
  return c;
}

TEST(SortAndMerge, OrdersByPidKindPath) {
  std::vector<Consumer> list{make(7, ConsumerKind::mapping, "/a"), make(3, ConsumerKind::fd, "/b"),
                             make(3, ConsumerKind::fd, "/a")};
  sort_and_merge(list);
  ASSERT_EQ(list.size(), 3U);
  EXPECT_EQ(list[0], make(3, ConsumerKind::fd, "/a"));
  EXPECT_EQ(list[1], make(3, ConsumerKind::fd, "/b"));
  EXPECT_EQ(list[2], make(7, ConsumerKind::mapping, "/a"));
}

TEST(SortAndMerge, FoldsTheSameUseKeepingAnyFlag) {
  // Two mappings of one file, only one of them MAP_SYNC; the same file by fd stays apart.
  std::vector<Consumer> list{make(5, ConsumerKind::mapping, "/f", false, true),
                             make(5, ConsumerKind::fd, "/f"),
                             make(5, ConsumerKind::mapping, "/f", true, false)};
  sort_and_merge(list);
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0], make(5, ConsumerKind::fd, "/f"));
  EXPECT_EQ(list[1], make(5, ConsumerKind::mapping, "/f", true, true));
}

TEST(SortAndMerge, EmptyStaysEmpty) {
  std::vector<Consumer> list;
  sort_and_merge(list);
  EXPECT_TRUE(list.empty());
}

}  // namespace
}  // namespace daxd
