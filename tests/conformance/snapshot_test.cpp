// SPDX-License-Identifier: Apache-2.0
// Snapshots of DAX volumes at the host interface: the lvcreate -s failure, the cow stack
// (snapshot-origin + snapshot, never DAX), old data kept and merged back, bulk copies mounted
// read-only. The same scenarios run on the sim and on the 6.1 kernel in the VM.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/conformance/conformance_fixture.h"

#if DAXD_CONFORMANCE_HAVE_SIM
#include "daemon/host/sim/sim_host.h"
#endif

namespace daxd::conformance {
namespace {

using ::testing::HasSubstr;

constexpr char kOrigin[] = "c-v";
constexpr char kReal[] = "c-v+real";
constexpr char kCow[] = "c-v+cow";
constexpr char kSnap[] = "c-v@s";
constexpr char kOriginMnt[] = "/mnt/c-origin";
constexpr char kSnapMnt[] = "/mnt/c-snap";

std::string mapper(std::string_view name) { return "/dev/mapper/" + std::string(name); }

class SnapshotConformance : public Conformance {
 protected:
  void TearDown() override {
    if (!IsSkipped()) {
      // Innermost first: the fixture's cleanup removes dm devices in list order, which fails
      // for a device another one still holds.
      for (char const* m : {kSnapMnt, kOriginMnt, "/mnt/c-copy"}) ignore_result(fs().unmount(m));
      for (char const* d : {kOrigin, kSnap, kCow, kReal}) ignore_result(dm().remove(d));
    }
    Conformance::TearDown();
  }

  bool on_sim() const { return conformance_host_name() == "sim"; }

  /// `text` is the content of `rel` on the filesystem of `device` mounted at `mnt`, on disk.
  Result<void> put(std::string const& device, std::string const& mnt, std::string const& rel,
                   std::string const& text) {
#if DAXD_CONFORMANCE_HAVE_SIM
    if (on_sim()) {
      return dynamic_cast<host::sim::SimHost&>(host()).write_file(device, "/" + rel, text);
    }
#endif
    (void)device;
    std::ofstream out(mnt + "/" + rel, std::ios::trunc);
    out << text;
    out.close();
    if (!out) return Fail(Errc::io_error, mnt + "/" + rel + ": cannot write");
    ::sync();  // the snapshot's exceptions and the copy see only what reached the device
    return Ok();
  }

  /// The content of `rel`, or "<error ...>" for the assertion message.
  std::string get(std::string const& device, std::string const& mnt, std::string const& rel) {
#if DAXD_CONFORMANCE_HAVE_SIM
    if (on_sim()) {
      auto text = dynamic_cast<host::sim::SimHost&>(host()).read_file(device, "/" + rel);
      return text ? *text : "<error " + describe(text.error()) + ">";
    }
#endif
    (void)device;
    std::ifstream in(mnt + "/" + rel);
    if (!in) return "<error: cannot read " + mnt + "/" + rel + ">";
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  /// "<allocated>/<total> <metadata>" of the single snapshot target of `name`.
  struct Usage {
    std::uint64_t allocated = 0, total = 0, metadata = 0;
  };
  Result<Usage> usage(std::string_view name) {
    DAXD_ASSIGN_OR_RETURN(auto const lines, dm().status(name));
    static std::regex const re("^([0-9]+)/([0-9]+) ([0-9]+)$");
    std::smatch m;
    if (lines.size() != 1 || !std::regex_match(lines[0], m, re)) {
      return Fail(Errc::invalid_argument,
                  std::string(name) + ": unexpected status '" +
                      (lines.empty() ? std::string() : lines[0]) + "'");
    }
    return Usage{std::stoull(m[1]), std::stoull(m[2]), std::stoull(m[3])};
  }

  /// The cow stack over `origin_ns` with its store on `cow_ns`: real (the volume's linear
  /// table), cow, the snapshot and the snapshot-origin, created in the order LVM uses.
  Result<void> build_cow_stack(Namespace const& origin_ns, Namespace const& cow_ns) {
    std::uint64_t const sectors = origin_ns.size / 512;
    DAXD_TRY(dm().create(kReal, "", linear_over(origin_ns)));
    DAXD_TRY(dm().create(kCow, "", linear_over(cow_ns)));
    // mke2fs zeroes sector 0: the store starts empty even where an old COW store (or an xfs
    // superblock, which the kernel refuses as "Invalid or corrupt snapshot") was before.
    DAXD_TRY(fs().make_filesystem(mapper(kCow), FsType::ext4));
    DAXD_TRY(dm().create(kSnap, "",
                         {DmTarget{0, sectors, "snapshot",
                                   mapper(kReal) + " " + mapper(kCow) + " P 8"}}));
    DAXD_TRY(dm().create(kOrigin, "", {DmTarget{0, sectors, "snapshot-origin", mapper(kReal)}}));
    return Ok();
  }

  Namespace origin_ns_;
};

TEST_F(SnapshotConformance, LvmStyleReloadOfDaxDeviceIsRefused) {
  CONF_ASSIGN_OR_FAIL(origin_ns_, nvdimm().create_namespace(
                                      spec("c-snap-origin", NamespaceMode::fsdax, 256 * kMiB)));
  CONF_ASSIGN_OR_FAIL(auto const vol, dm().create(kOrigin, "", linear_over(origin_ns_)));
  ASSERT_TRUE(vol.dax);
  CONF_ASSERT_OK(fs().make_filesystem(mapper(kOrigin), FsType::ext4));
  CONF_ASSERT_OK(fs().mount(mapper(kOrigin), kOriginMnt, FsType::ext4, DaxMode::always));
  CONF_ASSERT_OK(dm().create(kReal, "", linear_over(origin_ns_)));

  // What lvcreate -s does to the origin: suspend, reload as snapshot-origin of its -real.
  CONF_ASSERT_OK(dm().suspend(kOrigin));
  auto const reload = dm().reload(
      kOrigin, {DmTarget{0, origin_ns_.size / 512, "snapshot-origin", mapper(kReal)}});
  ASSERT_FALSE(reload.has_value());
  EXPECT_EQ(reload.error().code, Errc::invalid_argument) << describe(reload.error());
  EXPECT_THAT(reload.error().message, HasSubstr("can't change device type"));
  CONF_ASSERT_OK(dm().resume(kOrigin));

  CONF_ASSIGN_OR_FAIL(auto const after, find_dm(kOrigin));
  EXPECT_TRUE(after.dax);
  EXPECT_FALSE(after.suspended);
  ASSERT_EQ(after.table.size(), 1U);
  EXPECT_EQ(after.table[0].type, "linear");
  CONF_ASSIGN_OR_FAIL(auto const m, find_mount(kOriginMnt));
  EXPECT_EQ(m.dax, "always");
}

TEST_F(SnapshotConformance, CowStackIsNotDaxAndRefusesDaxMount) {
  CONF_ASSIGN_OR_FAIL(origin_ns_, nvdimm().create_namespace(
                                      spec("c-snap-origin", NamespaceMode::fsdax, 256 * kMiB)));
  CONF_ASSIGN_OR_FAIL(Namespace const cow_ns,
                      nvdimm().create_namespace(
                          spec("c-snap-cow", NamespaceMode::fsdax, 256 * kMiB, "region1")));
  CONF_ASSERT_OK(fs().make_filesystem("/dev/" + origin_ns_.blockdev, FsType::ext4));
  CONF_ASSERT_OK(build_cow_stack(origin_ns_, cow_ns));

  for (auto const& [name, dax] : {std::pair{kReal, true}, std::pair{kCow, true},
                                  std::pair{kSnap, false}, std::pair{kOrigin, false}}) {
    CONF_ASSIGN_OR_FAIL(auto const d, find_dm(name));
    EXPECT_EQ(d.dax, dax) << name;
  }
  CONF_ASSIGN_OR_FAIL(auto const fresh, usage(kSnap));
  EXPECT_EQ(fresh.total, cow_ns.size / 512);
  EXPECT_EQ(fresh.allocated, fresh.metadata) << "a new store holds no exceptions";
  CONF_ASSIGN_OR_FAIL(auto const origin_status, dm().status(kOrigin));
  EXPECT_EQ(origin_status, std::vector<std::string>{""});

  // 6.1: "EXT4-fs (dm-N): DAX unsupported by block device." -> EINVAL.
  auto const dax = fs().mount(mapper(kOrigin), kOriginMnt, FsType::ext4, DaxMode::always);
  ASSERT_FALSE(dax.has_value());
  EXPECT_EQ(dax.error().code, Errc::invalid_argument) << describe(dax.error());
  CONF_ASSERT_OK(fs().mount(mapper(kOrigin), kOriginMnt, FsType::ext4, DaxMode::never));
  CONF_ASSIGN_OR_FAIL(auto const m, find_mount(kOriginMnt));
  EXPECT_EQ(m.dax, "never");
}

TEST_F(SnapshotConformance, SnapshotKeepsOldDataAndMergeRestoresIt) {
  CONF_ASSIGN_OR_FAIL(origin_ns_, nvdimm().create_namespace(
                                      spec("c-snap-origin", NamespaceMode::fsdax, 256 * kMiB)));
  CONF_ASSIGN_OR_FAIL(Namespace const cow_ns,
                      nvdimm().create_namespace(
                          spec("c-snap-cow", NamespaceMode::fsdax, 256 * kMiB, "region1")));
  // The DAX volume with a file, then taken down so the stack can be built.
  CONF_ASSERT_OK(dm().create(kOrigin, "", linear_over(origin_ns_)));
  CONF_ASSERT_OK(fs().make_filesystem(mapper(kOrigin), FsType::ext4));
  CONF_ASSERT_OK(fs().mount(mapper(kOrigin), kOriginMnt, FsType::ext4, DaxMode::always));
  CONF_ASSERT_OK(put(mapper(kOrigin), kOriginMnt, "f", "before"));
  CONF_ASSERT_OK(fs().unmount(kOriginMnt));
  CONF_ASSERT_OK(dm().remove(kOrigin));
  CONF_ASSERT_OK(build_cow_stack(origin_ns_, cow_ns));

  CONF_ASSERT_OK(fs().mount(mapper(kOrigin), kOriginMnt, FsType::ext4, DaxMode::never));
  CONF_ASSERT_OK(put(mapper(kOrigin), kOriginMnt, "f", "after"));
  CONF_ASSIGN_OR_FAIL(auto const used, usage(kSnap));
  EXPECT_GT(used.allocated, used.metadata) << "origin writes copied chunks into the store";
  // ext4 shares nothing between the two: the snapshot mounts beside its mounted origin.
  CONF_ASSERT_OK(fs().mount_read_only(mapper(kSnap), kSnapMnt, FsType::ext4));
  CONF_ASSIGN_OR_FAIL(auto const ro, find_mount(kSnapMnt));
  EXPECT_THAT(ro.options, HasSubstr("ro,"));
  EXPECT_EQ(ro.dax, "never");
  EXPECT_EQ(get(mapper(kSnap), kSnapMnt, "f"), "before");
  EXPECT_EQ(get(mapper(kOrigin), kOriginMnt, "f"), "after");
  CONF_ASSERT_OK(fs().unmount(kSnapMnt));
  CONF_ASSERT_OK(fs().unmount(kOriginMnt));

  // Restore: the origin goes (6.1 would merge beneath a live origin and corrupt its fs), the
  // snapshot device becomes snapshot-merge, and the store drains into the real device.
  CONF_ASSERT_OK(dm().remove(kOrigin));
  CONF_ASSERT_OK(dm().suspend(kSnap));
  CONF_ASSERT_OK(dm().reload(kSnap, {DmTarget{0, origin_ns_.size / 512, "snapshot-merge",
                                              mapper(kReal) + " " + mapper(kCow) + " P 8"}}));
  CONF_ASSERT_OK(dm().resume(kSnap));
  Usage merging;
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  do {
    CONF_ASSIGN_OR_FAIL(merging, usage(kSnap));
    if (merging.allocated == merging.metadata) break;
    host().clock().sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(merging.allocated, merging.metadata) << "merged";
  CONF_ASSERT_OK(dm().remove(kSnap));
  CONF_ASSERT_OK(fs().mount(mapper(kReal), kOriginMnt, FsType::ext4, DaxMode::always));
  EXPECT_EQ(get(mapper(kReal), kOriginMnt, "f"), "before");
}

TEST_F(SnapshotConformance, CopyOfMountedXfsMountsReadOnlyWithNouuid) {
  CONF_ASSIGN_OR_FAIL(origin_ns_, nvdimm().create_namespace(
                                      spec("c-snap-origin", NamespaceMode::fsdax, 512 * kMiB)));
  CONF_ASSIGN_OR_FAIL(Namespace const copy_ns,
                      nvdimm().create_namespace(
                          spec("c-snap-copy", NamespaceMode::fsdax, 512 * kMiB, "region1")));
  std::string const copy_dev = "/dev/" + copy_ns.blockdev;
  CONF_ASSERT_OK(dm().create(kOrigin, "", linear_over(origin_ns_)));
  CONF_ASSERT_OK(fs().make_filesystem(mapper(kOrigin), FsType::xfs));
  CONF_ASSERT_OK(fs().mount(mapper(kOrigin), kOriginMnt, FsType::xfs, DaxMode::always));
  CONF_ASSERT_OK(put(mapper(kOrigin), kOriginMnt, "f", "copied"));

  auto& blocks = host().block_devices();
  auto const unaligned = blocks.copy(mapper(kOrigin), copy_dev, 4095);
  ASSERT_FALSE(unaligned.has_value());
  EXPECT_EQ(unaligned.error().code, Errc::invalid_argument);
  auto const too_long = blocks.copy(mapper(kOrigin), copy_dev, origin_ns_.size + 4096);
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code, Errc::invalid_argument) << describe(too_long.error());

  CONF_ASSERT_OK(fs().freeze(kOriginMnt));
  auto const copied = blocks.copy(mapper(kOrigin), copy_dev, origin_ns_.size);
  CONF_ASSERT_OK(fs().thaw(kOriginMnt));
  ASSERT_TRUE(copied.has_value()) << describe(copied.error());
  EXPECT_EQ(copied->bytes, origin_ns_.size);
  EXPECT_GE(copied->elapsed_ms, 0);
  CONF_ASSERT_OK(put(mapper(kOrigin), kOriginMnt, "f", "later"));

  // Same uuid as the mounted origin: "XFS (pmemN): Filesystem has duplicate UUID ... - can't
  // mount" (EINVAL) unless nouuid.
  auto const plain = fs().mount(copy_dev, "/mnt/c-copy", FsType::xfs, DaxMode::never);
  ASSERT_FALSE(plain.has_value());
  EXPECT_EQ(plain.error().code, Errc::invalid_argument) << describe(plain.error());
  CONF_ASSERT_OK(fs().mount_read_only(copy_dev, "/mnt/c-copy", FsType::xfs));
  CONF_ASSIGN_OR_FAIL(auto const m, find_mount("/mnt/c-copy"));
  EXPECT_THAT(m.options, HasSubstr("ro,"));
  EXPECT_THAT(m.options, HasSubstr("nouuid"));
  EXPECT_EQ(m.dax, "never");
  EXPECT_EQ(get(copy_dev, "/mnt/c-copy", "f"), "copied");
  EXPECT_EQ(get(mapper(kOrigin), kOriginMnt, "f"), "later");
}

TEST_F(SnapshotConformance, ReadOnlyMountOfDeviceMountedReadWriteIsRefused) {
  CONF_ASSIGN_OR_FAIL(origin_ns_, nvdimm().create_namespace(
                                      spec("c-snap-origin", NamespaceMode::fsdax, 256 * kMiB)));
  std::string const dev = "/dev/" + origin_ns_.blockdev;
  CONF_ASSERT_OK(fs().make_filesystem(dev, FsType::ext4));
  CONF_ASSERT_OK(fs().mount(dev, kOriginMnt, FsType::ext4, DaxMode::always));
  // 6.1: "pmemN: Can't mount, would change RO state" -> EBUSY.
  auto const ro = fs().mount_read_only(dev, kSnapMnt, FsType::ext4);
  ASSERT_FALSE(ro.has_value());
  EXPECT_EQ(ro.error().code, Errc::busy) << describe(ro.error());
}

}  // namespace
}  // namespace daxd::conformance
