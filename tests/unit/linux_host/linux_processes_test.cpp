// SPDX-License-Identifier: Apache-2.0
// The consumer scan for real on this machine, both ways (/proc and the BPF iterators): this
// process and spawned children are found, and the two scans agree.
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

/// A child that holds `held` open on fd 0 (and sleeps); killed and reaped at scope exit.
class Holder {
 public:
  explicit Holder(std::filesystem::path const& held) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, held.c_str(), O_RDONLY, 0);
    char arg0[] = "sleep";
    char arg1[] = "30";
    char* argv[] = {arg0, arg1, nullptr};
    EXPECT_EQ(::posix_spawnp(&pid_, "sleep", &actions, nullptr, argv, environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    wait_until_asleep();
  }
  ~Holder() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  Holder(Holder const&) = delete;
  Holder& operator=(Holder const&) = delete;
  int pid() const { return pid_; }

 private:
  /// Until the child sleeps, the dynamic loader is still mapping its libraries: two scans a
  /// moment apart would see different mappings.
  void wait_until_asleep() const {
    std::string const stat = "/proc/" + std::to_string(pid_) + "/stat";
    for (int i = 0; i < 500; ++i) {
      std::string text;
      std::getline(std::ifstream(stat), text);
      auto const close = text.rfind(')');
      if (close != std::string::npos && text.compare(close, 4, ") S ") == 0) return;
      ::usleep(10'000);
    }
    ADD_FAILURE() << "child " << pid_ << " never went to sleep";
  }

  pid_t pid_ = 0;
};

/// One line per consumer, to compare two scans with a readable failure.
std::vector<std::string> lines_of(std::vector<Consumer> const& all, int pid) {
  std::vector<std::string> out;
  for (Consumer const& c : of_pid(all, pid)) {
    out.push_back(std::string(to_string(c.kind)) + " " + c.path + " [" + c.command + "]" +
                  (c.map_sync ? " map_sync" : "") + (c.dax ? " dax" : ""));
  }
  return out;
}

std::string name_of(ScanMethod m) { return m == ScanMethod::bpf ? "bpf" : "proc"; }

/// Each test runs with the /proc scan and with the BPF iterators; the second is skipped, with
/// the kernel's reason, where BPF iterators cannot load (no CAP_BPF, no BTF).
class ConsumerScan : public ::testing::TestWithParam<ScanMethod> {
 protected:
  void SetUp() override {
    if (GetParam() == ScanMethod::bpf && procs_.scan_method() != "bpf") {
      GTEST_SKIP() << procs_.scan_method();
    }
  }
  LinuxProcesses procs_{"/proc",
                        GetParam() == ScanMethod::bpf ? ScanMethod::automatic : ScanMethod::proc};
};

TEST_P(ConsumerScan, FindsOwnFdMappingAndCwd) {
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

  auto const found = procs_.find_consumers(ConsumerQuery{{fs_of(dir.path())}, {}});

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

TEST_P(ConsumerScan, FindsAChildHoldingAFile) {
  testing::TempDir dir;
  auto const held = dir.path() / "held";
  write_file(held, 10);
  Holder const child(held);
  ASSERT_GT(child.pid(), 0);

  auto const found = procs_.find_consumers(ConsumerQuery{{fs_of(dir.path())}, {}});

  ASSERT_TRUE(found.has_value()) << found.error().message;
  auto const theirs = of_pid(*found, child.pid());
  ASSERT_TRUE(has(theirs, ConsumerKind::fd, held.string()));
  EXPECT_EQ(theirs.front().command, "sleep");
}

TEST_P(ConsumerScan, DeviceQueryMatchesTheDeviceNode) {
  int const fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  auto const found =
      procs_.find_consumers(ConsumerQuery{{}, {DevNumber{major(st.st_rdev), minor(st.st_rdev)}}});
  ::close(fd);
  ASSERT_TRUE(found.has_value()) << found.error().message;
  EXPECT_TRUE(has(of_pid(*found, ::getpid()), ConsumerKind::fd, "/dev/null"));
}

TEST_P(ConsumerScan, EmptyQueryFindsNothing) {
  auto const found = procs_.find_consumers(ConsumerQuery{});
  ASSERT_TRUE(found.has_value());
  EXPECT_TRUE(found->empty());
}

TEST_P(ConsumerScan, OneEntryPerPidKindAndPath) {
  testing::TempDir dir;
  auto const f = dir.path() / "twice";
  write_file(f, 10);
  int const a = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
  int const b = ::open(f.c_str(), O_RDONLY | O_CLOEXEC);
  auto const found = procs_.find_consumers(ConsumerQuery{{fs_of(dir.path())}, {}});
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

TEST_P(ConsumerScan, FileQueryMatchesThatInodeOnly) {
  testing::TempDir dir;
  auto const wanted = dir.path() / "wanted";
  auto const other = dir.path() / "other";
  write_file(wanted, 10);
  write_file(other, 10);
  int const a = ::open(wanted.c_str(), O_RDONLY | O_CLOEXEC);
  int const b = ::open(other.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  ASSERT_EQ(::stat(wanted.c_str(), &st), 0);
  ConsumerQuery q{{}, {}, {FileId{fs_of(wanted), st.st_ino}}};
  auto const found = procs_.find_consumers(q);
  ::close(a);
  ::close(b);
  ASSERT_TRUE(found.has_value()) << found.error().message;
  auto const mine = of_pid(*found, ::getpid());
  EXPECT_TRUE(has(mine, ConsumerKind::fd, wanted.string()));
  EXPECT_FALSE(has(mine, ConsumerKind::fd, other.string()));
}

INSTANTIATE_TEST_SUITE_P(LinuxProcesses, ConsumerScan,
                         ::testing::Values(ScanMethod::proc, ScanMethod::bpf),
                         [](auto const& test) { return name_of(test.param); });

/// The same processes, scanned both ways: the same consumers, flags and commands included.
TEST(LinuxProcesses, BpfAndProcScansAgree) {
  LinuxProcesses bpf("/proc", ScanMethod::automatic);
  if (bpf.scan_method() != "bpf") GTEST_SKIP() << bpf.scan_method();
  LinuxProcesses proc("/proc", ScanMethod::proc);
  testing::TempDir dir;
  auto const opened = dir.path() / "opened";
  auto const mapped = dir.path() / "mapped";
  write_file(opened, 10);
  write_file(mapped, 4096);
  int const mfd = ::open(mapped.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(mfd, 0);
  void* shared = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
  void* priv = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, mfd, 0);
  ASSERT_NE(shared, MAP_FAILED);
  ASSERT_NE(priv, MAP_FAILED);
  Holder const a(opened);
  Holder const b(mapped);
  ConsumerQuery const q{{fs_of(dir.path())}, {}};

  auto const by_bpf = bpf.find_consumers(q);
  auto const by_proc = proc.find_consumers(q);

  ::munmap(shared, 4096);
  ::munmap(priv, 4096);
  ::close(mfd);
  ASSERT_TRUE(by_bpf.has_value()) << by_bpf.error().message;
  ASSERT_TRUE(by_proc.has_value()) << by_proc.error().message;
  for (int const pid : {static_cast<int>(::getpid()), a.pid(), b.pid()}) {
    EXPECT_EQ(lines_of(*by_bpf, pid), lines_of(*by_proc, pid)) << "pid " << pid;
    EXPECT_FALSE(of_pid(*by_bpf, pid).empty()) << "pid " << pid;
  }
}

TEST(LinuxProcesses, BpfOnlyFailsWhereItCannotLoad) {
  LinuxProcesses procs("/proc", ScanMethod::bpf);
  testing::TempDir dir;
  auto const found = procs.find_consumers(ConsumerQuery{{fs_of(dir.path())}, {}});
  if (procs.scan_method() == "bpf") {
    EXPECT_TRUE(found.has_value()) << found.error().message;
  } else {
    ASSERT_FALSE(found.has_value());
    EXPECT_EQ(found.error().code, Errc::unsupported);
  }
}

}  // namespace
}  // namespace daxd::host::linux_impl
