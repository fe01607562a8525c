// SPDX-License-Identifier: Apache-2.0
// The /proc scan for real on this machine: this process and a spawned child are found.
#include "daemon/host/linux/linux_processes.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "tests/unit/linux_host/temp_dir.h"

extern char** environ;

namespace daxd::host::linux_impl {
namespace {

DevNumber fs_of(std::filesystem::path const& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return DevNumber{major(st.st_dev), minor(st.st_dev)};
}

std::vector<Consumer> of_pid(std::vector<Consumer> const& all, int pid) {
  std::vector<Consumer> out;
  for (Consumer const& c : all) {
    if (c.pid == pid) out.push_back(c);
  }
  return out;
}

bool has(std::vector<Consumer> const& list, ConsumerKind kind, std::string const& path) {
  for (Consumer const& c : list) {
    if (c.kind == kind && c.path == path) return true;
  }
  return false;
}

void write_file(std::filesystem::path const& p, std::size_t size) {
  std::ofstream(p) << std::string(size, 'x');
}

TEST(LinuxProcesses, FindsOwnFdMappingAndCwd) {
  testing::TempDir dir;
  auto const opened = dir.path() / "opened";
  auto const mapped = dir.path() / "mapped";
  auto const sub = dir.path() / "sub";
  write_file(opened, 10);
  write_file(mapped, 4096);
  std::filesystem::create_directory(sub);
  int const fd = ::open(opened.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  int const mfd = ::open(mapped.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(mfd, 0);
  void* map = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
  ::close(mfd);  // the mapping alone keeps the file in use
  ASSERT_NE(map, MAP_FAILED);
  auto const old_cwd = std::filesystem::current_path();
  std::filesystem::current_path(sub);

  LinuxProcesses procs;
  auto const found = procs.find_consumers(ConsumerQuery{{fs_of(dir.path())}, {}});

  std::filesystem::current_path(old_cwd);
  ::munmap(map, 4096);
  ::close(fd);
  ASSERT_TRUE(found.has_value()) << found.error().message;
  auto const mine = of_pid(*found, ::getpid());
  EXPECT_TRUE(has(mine, ConsumerKind::fd, opened.string()));
  EXPECT_TRUE(has(mine, ConsumerKind::mapping, mapped.string()));
  EXPECT_TRUE(has(mine, ConsumerKind::cwd, sub.string()));
  for (Consumer const& c : mine) {
    EXPECT_FALSE(c.command.empty());
    EXPECT_FALSE(c.map_sync) << c.path;  // plain MAP_SHARED: no "sf"
  }
}

TEST(LinuxProcesses, FindsAChildHoldingAFile) {
  testing::TempDir dir;
  auto const held = dir.path() / "held";
  write_file(held, 10);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, held.c_str(), O_RDONLY, 0);
  char arg0[] = "sleep";
  char arg1[] = "30";
  char* argv[] = {arg0, arg1, nullptr};
  pid_t child = 0;
  ASSERT_EQ(::posix_spawnp(&child, "sleep", &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);

  LinuxProcesses procs;
  auto const found = procs.find_consumers(ConsumerQuery{{fs_of(dir.path())}, {}});
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);

  ASSERT_TRUE(found.has_value()) << found.error().message;
  auto const theirs = of_pid(*found, child);
  ASSERT_TRUE(has(theirs, ConsumerKind::fd, held.string()));
  EXPECT_EQ(theirs.front().command, "sleep");
}

TEST(LinuxProcesses, DeviceQueryMatchesTheDeviceNode) {
  int const fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  LinuxProcesses procs;
  auto const found =
      procs.find_consumers(ConsumerQuery{{}, {DevNumber{major(st.st_rdev), minor(st.st_rdev)}}});
  ::close(fd);
  ASSERT_TRUE(found.has_value()) << found.error().message;
  EXPECT_TRUE(has(of_pid(*found, ::getpid()), ConsumerKind::fd, "/dev/null"));
}

TEST(LinuxProcesses, EmptyQueryFindsNothing) {
  LinuxProcesses procs;
  auto const found = procs.find_consumers(ConsumerQuery{});
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->empty());
}

TEST(LinuxProcesses, OneEntryPerPidKindAndPath) {
  testing::TempDir dir;
  auto const f = dir.path() / "twice";
  write_file(f, 10);
  int const a = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
  int const b = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
  LinuxProcesses procs;
  auto const found = procs.find_consumers(ConsumerQuery{{fs_of(dir.path())}, {}});
  ::close(a);
  ::close(b);
  ASSERT_TRUE(found.has_value());
  int n = 0;
  for (Consumer const& c : of_pid(*found, ::getpid())) n += c.path == f.string() ? 1 : 0;
  EXPECT_EQ(n, 1);
}

TEST(LinuxProcesses, SignalsAProcessAndReportsAMissingOne) {
  LinuxProcesses procs;
  EXPECT_TRUE(procs.send_signal(::getpid(), 0).has_value());
  auto const missing = procs.send_signal(4194305, 0);  // above any pid_max
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_EQ(procs.send_signal(0, SIGTERM).error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace daxd::host::linux_impl
