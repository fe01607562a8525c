// SPDX-License-Identifier: Apache-2.0
// Guest program: stores a counter through a shared mapping of a DAX file without pause (to see
// whether stores reach the media while the filesystem is frozen), and reads it back O_DIRECT.
//
// Usage: store_counter [-y] [-n] [-i USEC] [-g PROGRESS] [-p PIDFILE] [-f PHYSFILE] FILE
//   Creates FILE (2 MiB), maps it MAP_SHARED (-y: MAP_SHARED_VALIDATE|MAP_SYNC), stores 1, 2, 3,
//   ... as a 64-bit word at file offset 0 every USEC microseconds (default 200), and after each
//   store the same count into PROGRESS (a file it maps MAP_SHARED; put it on tmpfs): PROGRESS
//   stops advancing while a store is blocked in a page fault. Before the loop it writes the
//   byte offset of FILE's first block on the filesystem's device (FIEMAP) to PHYSFILE and its
//   pid to PIDFILE, and prints "STORE_COUNTER pid=.. phys=.. map_sync=0|1 statx_dax=..".
//   The first store allocates the block; it is then msync'ed ("settled": the page is clean and
//   write-protected, the next store faults on an allocated block) unless -n ("fresh": nothing
//   writes the page back after the allocating fault). Runs until killed.
//       store_counter -r DEVICE_OR_FILE [-o OFFSET] [-b]
//   Prints the 64-bit word at byte OFFSET (default 0), read with O_DIRECT (-b: buffered, for
//   tmpfs files) as a decimal number.
// Exit: 2 usage or I/O error, 3 MAP_SYNC refused (EOPNOTSUPP); the loop never exits by itself.
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "tests/vm/programs/guest_util.h"

namespace {

using daxd::vm::Fd;

constexpr std::size_t kFileSize = 2u << 20;
constexpr std::size_t kBlock = 4096;

struct Args {
  bool map_sync = false;
  bool buffered = false;
  bool fresh = false;
  unsigned interval_us = 200;
  std::string progress;
  std::string pidfile;
  std::string physfile;
  std::string read_path;
  std::uint64_t read_offset = 0;
  std::string file;
};

bool parse(int argc, char** argv, Args& a) {
  int o = 0;
  while ((o = ::getopt(argc, argv, "yni:g:p:f:r:o:b")) != -1) {
    switch (o) {
      case 'y': a.map_sync = true; break;
      case 'n': a.fresh = true; break;
      case 'i': a.interval_us = static_cast<unsigned>(std::strtoul(optarg, nullptr, 0)); break;
      case 'g': a.progress = optarg; break;
      case 'p': a.pidfile = optarg; break;
      case 'f': a.physfile = optarg; break;
      case 'r': a.read_path = optarg; break;
      case 'o': a.read_offset = std::strtoull(optarg, nullptr, 0); break;
      case 'b': a.buffered = true; break;
      default: return false;
    }
  }
  if (!a.read_path.empty()) return optind == argc;
  if (optind + 1 != argc) return false;
  a.file = argv[optind];
  return true;
}

// The word at `offset` of `path`, read through an aligned O_DIRECT block (or buffered).
int peek(Args const& a) {
  int const flags = O_RDONLY | O_CLOEXEC | (a.buffered ? 0 : O_DIRECT);
  Fd fd(::open(a.read_path.c_str(), flags));
  if (!fd.valid()) return std::perror(a.read_path.c_str()), 2;
  void* buf = nullptr;
  if (::posix_memalign(&buf, kBlock, kBlock) != 0) return std::perror("posix_memalign"), 2;
  std::uint64_t const base = a.read_offset / kBlock * kBlock;
  ssize_t const n = ::pread(fd.get(), buf, kBlock, static_cast<off_t>(base));
  if (n != static_cast<ssize_t>(kBlock)) {
    std::free(buf);
    return std::fprintf(stderr, "%s: short read at %llu\n", a.read_path.c_str(),
                        static_cast<unsigned long long>(base)), 2;
  }
  std::uint64_t word = 0;
  std::memcpy(&word, static_cast<unsigned char*>(buf) + (a.read_offset - base), sizeof word);
  std::free(buf);
  std::printf("%llu\n", static_cast<unsigned long long>(word));
  return 0;
}

// Byte offset on the filesystem's device of the block holding file offset 0 (-1: unknown).
// Without FIEMAP_FLAG_SYNC: that would write the mapping back (and write-protect the page).
long long physical_offset(int fd) {
  alignas(struct fiemap) unsigned char buf[sizeof(struct fiemap) + sizeof(struct fiemap_extent)] = {};
  auto* map = reinterpret_cast<struct fiemap*>(buf);
  map->fm_start = 0;
  map->fm_length = kBlock;
  map->fm_flags = 0;
  map->fm_extent_count = 1;
  if (::ioctl(fd, FS_IOC_FIEMAP, map) != 0 || map->fm_mapped_extents == 0) return -1;
  return static_cast<long long>(map->fm_extents[0].fe_physical);
}

volatile std::uint64_t* map_words(int fd, std::size_t size, int flags) {
  void* m = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, flags, fd, 0);
  return m == MAP_FAILED ? nullptr : static_cast<volatile std::uint64_t*>(m);
}

[[noreturn]] void store_forever(volatile std::uint64_t* word, volatile std::uint64_t* progress,
                                unsigned interval_us) {
  for (std::uint64_t count = 1;; ++count) {
    *word = count;
    if (progress != nullptr) *progress = count;
    if (interval_us != 0) ::usleep(interval_us);
  }
}

int run(Args const& a) {
  Fd fd(::open(a.file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) return std::perror(a.file.c_str()), 2;
  if (::ftruncate(fd.get(), kFileSize) != 0) return std::perror("ftruncate"), 2;
  int const flags = a.map_sync ? MAP_SHARED_VALIDATE | MAP_SYNC : MAP_SHARED;
  volatile std::uint64_t* word = map_words(fd.get(), kFileSize, flags);
  if (word == nullptr) {
    int const err = errno;
    std::fprintf(stderr, "store_counter: %s: mmap failed: %s\n", a.file.c_str(),
                 std::strerror(err));
    return err == EOPNOTSUPP ? 3 : 2;
  }
  *word = 0;  // allocates the block, so FIEMAP has something to report
  if (!a.fresh && ::msync(const_cast<std::uint64_t*>(word), kBlock, MS_SYNC) != 0) {
    return std::perror("msync"), 2;
  }
  volatile std::uint64_t* progress = nullptr;
  if (!a.progress.empty()) {
    Fd pfd(::open(a.progress.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!pfd.valid() || ::ftruncate(pfd.get(), kBlock) != 0) return std::perror(a.progress.c_str()), 2;
    progress = map_words(pfd.get(), kBlock, MAP_SHARED);
    if (progress == nullptr) return std::perror("mmap progress"), 2;
  }
  long long const phys = physical_offset(fd.get());
  if (!a.physfile.empty() && !daxd::vm::write_file_atomic(a.physfile, std::to_string(phys) + "\n")) {
    return std::perror(a.physfile.c_str()), 2;
  }
  if (!a.pidfile.empty() &&
      !daxd::vm::write_file_atomic(a.pidfile, std::to_string(::getpid()) + "\n")) {
    return std::perror(a.pidfile.c_str()), 2;
  }
  std::printf("STORE_COUNTER pid=%d phys=%lld map_sync=%d fresh=%d statx_dax=%d\n", ::getpid(),
              phys, a.map_sync ? 1 : 0, a.fresh ? 1 : 0, daxd::vm::statx_dax(a.file.c_str()));
  std::fflush(stdout);
  store_forever(word, progress, a.interval_us);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!parse(argc, argv, a)) {
    std::fprintf(stderr,
                 "usage: store_counter [-y] [-n] [-i USEC] [-g PROGRESS] [-p PIDFILE] [-f PHYSFILE] FILE\n"
                 "       store_counter -r DEVICE_OR_FILE [-o OFFSET] [-b]\n");
    return 2;
  }
  return a.read_path.empty() ? run(a) : peek(a);
}
