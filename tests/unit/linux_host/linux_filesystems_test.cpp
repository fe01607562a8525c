// SPDX-License-Identifier: Apache-2.0
// The mount table, mkfs and the signature probe on this machine; refusals of freeze/unmount.
#include "daemon/host/linux/linux_filesystems.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fstream>

#include <gtest/gtest.h>

#include "tests/unit/linux_host/temp_dir.h"

namespace daxd::host::linux_impl {
namespace {

DevNumber dev_of(char const* path) {
  struct stat st {};
  EXPECT_EQ(::stat(path, &st), 0);
  return DevNumber{major(st.st_dev), minor(st.st_dev)};
}

/// The last (topmost) mount at `target`.
MountEntry const* find_mount(std::vector<MountEntry> const& all, std::string const& target) {
  MountEntry const* found = nullptr;
  for (MountEntry const& m : all) {
    if (m.target == target) found = &m;
  }
  return found;
}

TEST(LinuxFilesystems, ListMountsFindsRootAndProcWithTheirDev) {
  LinuxFilesystems fs;
  auto const mounts = fs.list_mounts();
  ASSERT_TRUE(mounts.has_value()) << mounts.error().message;
  MountEntry const* root = find_mount(*mounts, "/");
  MountEntry const* proc = find_mount(*mounts, "/proc");
  ASSERT_NE(root, nullptr);
  ASSERT_NE(proc, nullptr);
  EXPECT_EQ(root->dev, dev_of("/"));
  EXPECT_EQ(proc->dev, dev_of("/proc"));
  EXPECT_EQ(proc->fstype, "proc");
  EXPECT_NE(proc->options.find("rw"), std::string::npos);
  EXPECT_EQ(proc->dax, "");
}

TEST(LinuxFilesystems, DaxModeFromOptions) {
  EXPECT_EQ(dax_from_options("rw,relatime,dax=always"), "always");
  EXPECT_EQ(dax_from_options("rw,relatime,dax=never"), "never");
  EXPECT_EQ(dax_from_options("rw,dax=inode,errors=remount-ro"), "inode");
  EXPECT_EQ(dax_from_options("rw,relatime,dax"), "always");  // bare dax means always
  EXPECT_EQ(dax_from_options("rw,relatime"), "");
  EXPECT_EQ(dax_from_options("rw,nodax"), "");
}

TEST(LinuxFilesystems, MakeFilesystemThenProbeFindsExt4) {
  testing::TempDir dir;
  auto const image = dir.path() / "image";
  std::filesystem::resize_file((std::ofstream(image), image), 16U << 20);
  LinuxFilesystems fs;
  auto const empty = fs.probe_signature(image.string());
  ASSERT_TRUE(empty.has_value()) << empty.error().message;
  EXPECT_EQ(*empty, "");
  auto const made = fs.make_filesystem(image.string(), FsType::ext4);
  if (!made && made.error().code == Errc::not_found) GTEST_SKIP() << "no mkfs.ext4";
  ASSERT_TRUE(made.has_value()) << made.error().message;
  auto const sig = fs.probe_signature(image.string());
  ASSERT_TRUE(sig.has_value()) << sig.error().message;
  EXPECT_EQ(*sig, "ext4");
}

TEST(LinuxFilesystems, MissingDevicesAreNotFound) {
  LinuxFilesystems fs;
  EXPECT_EQ(fs.probe_signature("/dev/daxd-no-such").error().code, Errc::not_found);
  EXPECT_EQ(fs.make_filesystem("/dev/daxd-no-such", FsType::ext4).error().code, Errc::not_found);
}

TEST(LinuxFilesystems, ProgramFailuresCarryStderr) {
  auto const missing = run_program({"daxd-no-such-program", "x"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, Errc::not_found);
  auto const failed = run_program({"ls", "/daxd-no-such-path"});
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code, Errc::io_error);
  EXPECT_NE(failed.error().message.find("daxd-no-such-path"), std::string::npos)
      << failed.error().message;
  EXPECT_TRUE(run_program({"true"}).has_value());
}

TEST(LinuxFilesystems, FreezeAndUnmountRefuseAPlainDirectory) {
  testing::TempDir dir;
  LinuxFilesystems fs;
  // Freezing a directory that is not a mount root would freeze its parent filesystem.
  EXPECT_EQ(fs.freeze(dir.path().string()).error().code, Errc::not_found);
  EXPECT_EQ(fs.thaw(dir.path().string()).error().code, Errc::not_found);
  EXPECT_EQ(fs.unmount(dir.path().string()).error().code, Errc::not_found);
  EXPECT_EQ(fs.freeze((dir.path() / "missing").string()).error().code, Errc::not_found);
}

}  // namespace
}  // namespace daxd::host::linux_impl
