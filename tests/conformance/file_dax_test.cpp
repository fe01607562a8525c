// SPDX-License-Identifier: Apache-2.0
// Per-file DAX on an ext4 dax=inode mount of an fsdax namespace (Documentation/filesystems/
// dax.rst): the flag takes effect once the inode is evicted, holders keep the old mode, new
// entries inherit a directory's flag, mount options override it, paths stay beneath the mount.
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/conformance/conformance_fixture.h"

#if DAXD_CONFORMANCE_HAVE_SIM
#include "daemon/host/sim/sim_control.h"
#include "daemon/host/sim/sim_host.h"
#endif

namespace daxd::conformance {
namespace {

constexpr char kMnt[] = "/mnt/c-fdax";
constexpr int kHolderPid = 4242;

class FileDaxConformance : public Conformance {
 protected:
  void SetUp() override {
    Conformance::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    CONF_ASSIGN_OR_FAIL(Namespace const ns, nvdimm().create_namespace(
                                                spec("c-fdax", NamespaceMode::fsdax, 256 * kMiB)));
    device_ = "/dev/" + ns.blockdev;
    CONF_ASSERT_OK(fs().make_filesystem(device_, FsType::ext4));
  }

  void TearDown() override {
    release_holder();
    Conformance::TearDown();
  }

  bool on_sim() const { return conformance_host_name() == "sim"; }

#if DAXD_CONFORMANCE_HAVE_SIM
  host::sim::SimHost* sim() { return dynamic_cast<host::sim::SimHost*>(&host()); }
#endif

  /// A regular file (`dir`: a directory) at `rel` inside the mount, made the way each host can.
  Result<void> create(std::string const& rel, bool dir = false) {
#if DAXD_CONFORMANCE_HAVE_SIM
    if (on_sim()) {
      return dir ? sim()->make_directory(device_, "/" + rel)
                 : sim()->write_file(device_, "/" + rel, "conformance");
    }
#endif
    std::filesystem::path const p = std::filesystem::path(kMnt) / rel;
    std::error_code ec;
    if (dir) {
      std::filesystem::create_directory(p, ec);
      if (ec) return Fail(Errc::io_error, p.string() + ": " + ec.message());
      return Ok();
    }
    std::ofstream out(p);
    out << "conformance";
    out.close();
    if (!out) return Fail(Errc::io_error, p.string() + ": cannot write");
    return Ok();
  }

  /// Something keeps `rel` open: a sim process, or an fd of this test on the real kernel.
  Result<void> hold(std::string const& rel) {
    std::string const path = std::string(kMnt) + "/" + rel;
#if DAXD_CONFORMANCE_HAVE_SIM
    if (on_sim()) {
      DAXD_TRY(
          sim()->add_process(host::sim::process(kHolderPid, "holder", {host::sim::open_fd(path)})));
      held_ = true;
      return Ok();
    }
#endif
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return error_from_errno(errno, path);
    return Ok();
  }

  void release_holder() {
#if DAXD_CONFORMANCE_HAVE_SIM
    if (held_ && sim() != nullptr) ignore_result(sim()->remove_process(kHolderPid));
    held_ = false;
#endif
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  Result<host::FileDaxState> state(std::string const& rel) {
    return fs().file_dax_state(kMnt, rel);
  }

  std::string device_;
  int fd_ = -1;
  bool held_ = false;
};

TEST_F(FileDaxConformance, FlagTakesEffectOnceTheInodeIsEvicted) {
  CONF_ASSERT_OK(fs().mount(device_, kMnt, FsType::ext4, DaxMode::inode));
  CONF_ASSERT_OK(create("f"));
  CONF_ASSIGN_OR_FAIL(auto const before, state("f"));
  EXPECT_FALSE(before.dax_flag);
  EXPECT_FALSE(before.effective_dax);
  EXPECT_EQ(before.path, std::string(kMnt) + "/f");

  CONF_ASSERT_OK(fs().set_file_dax(kMnt, "f", true));
  CONF_ASSIGN_OR_FAIL(auto const on, state("f"));
  EXPECT_TRUE(on.dax_flag);
  // No one held it: the kernel evicted the "don't cache" inode when the ioctl's fd closed.
  EXPECT_TRUE(on.effective_dax) << "statx shows DAX without drop_caches";

  CONF_ASSERT_OK(fs().set_file_dax(kMnt, "f", false));
  CONF_ASSIGN_OR_FAIL(auto const off, state("f"));
  EXPECT_FALSE(off.dax_flag);
  EXPECT_FALSE(off.effective_dax);
}

TEST_F(FileDaxConformance, AHolderKeepsTheOldModeUntilItCloses) {
  CONF_ASSERT_OK(fs().mount(device_, kMnt, FsType::ext4, DaxMode::inode));
  CONF_ASSERT_OK(create("held"));
  CONF_ASSERT_OK(hold("held"));
  CONF_ASSERT_OK(fs().set_file_dax(kMnt, "held", true));
  CONF_ASSIGN_OR_FAIL(auto const held, state("held"));
  EXPECT_TRUE(held.dax_flag);
  EXPECT_FALSE(held.effective_dax) << "an open inode keeps its mode";
  CONF_ASSERT_OK(fs().evict_inodes(kMnt));
  CONF_ASSIGN_OR_FAIL(auto const still, state("held"));
  EXPECT_FALSE(still.effective_dax) << "drop_caches does not evict an inode in use";
  release_holder();
  CONF_ASSIGN_OR_FAIL(auto const released, state("held"));
  EXPECT_TRUE(released.effective_dax) << "the last close evicted it";
}

TEST_F(FileDaxConformance, NewEntriesInheritTheDirectoryFlag) {
  CONF_ASSERT_OK(fs().mount(device_, kMnt, FsType::ext4, DaxMode::inode));
  CONF_ASSERT_OK(create("d", /*dir=*/true));
  CONF_ASSERT_OK(create("d/old"));
  CONF_ASSERT_OK(fs().set_file_dax(kMnt, "d", true));
  CONF_ASSERT_OK(create("d/new"));
  CONF_ASSIGN_OR_FAIL(auto const dir, state("d"));
  EXPECT_TRUE(dir.directory);
  EXPECT_TRUE(dir.dax_flag);
  EXPECT_FALSE(dir.effective_dax) << "statx never shows DAX on a directory";
  CONF_ASSIGN_OR_FAIL(auto const old_file, state("d/old"));
  EXPECT_FALSE(old_file.dax_flag);
  CONF_ASSIGN_OR_FAIL(auto const new_file, state("d/new"));
  EXPECT_TRUE(new_file.dax_flag);
  EXPECT_TRUE(new_file.effective_dax);
}

TEST_F(FileDaxConformance, DaxNeverMountStoresTheFlagOnly) {
  CONF_ASSERT_OK(fs().mount(device_, kMnt, FsType::ext4, DaxMode::never));
  CONF_ASSERT_OK(create("f"));
  CONF_ASSERT_OK(fs().set_file_dax(kMnt, "f", true));
  CONF_ASSERT_OK(fs().evict_inodes(kMnt));
  CONF_ASSIGN_OR_FAIL(auto const st, state("f"));
  EXPECT_TRUE(st.dax_flag);
  EXPECT_FALSE(st.effective_dax);
}

TEST_F(FileDaxConformance, PathsStayBeneathTheMount) {
  CONF_ASSERT_OK(fs().mount(device_, kMnt, FsType::ext4, DaxMode::inode));
  CONF_ASSERT_OK(create("f"));
  for (auto const* bad : {"..", "../c-fdax/f", "f/../../etc"}) {
    auto const r = state(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << bad << ": " << describe(r.error());
  }
  if (!on_sim()) {  // the sim has no symlinks
    std::error_code ec;
    std::filesystem::create_symlink("/etc", std::string(kMnt) + "/esc", ec);
    ASSERT_FALSE(ec) << ec.message();
    auto const r = state("esc/passwd");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << describe(r.error());
  }
  auto const missing = state("missing");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, Errc::not_found) << describe(missing.error());
}

}  // namespace
}  // namespace daxd::conformance
