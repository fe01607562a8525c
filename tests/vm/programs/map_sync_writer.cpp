// SPDX-License-Identifier: Apache-2.0
// Guest program: a MAP_SYNC writer on a DAX file that holds its mapping until told to let go.
//
// Usage: map_sync_writer [-s SEED] [-z SIZE] [-p PIDFILE] [-c SUMFILE] FILE
//   Creates FILE (SIZE bytes or with a K/M/G suffix, default 4 MiB), maps it MAP_SHARED_VALIDATE|MAP_SYNC, writes the
//   pattern of SEED (default 1), msyncs, writes the checksum (16 hex digits) to SUMFILE and then
//   its pid to PIDFILE (the pidfile appearing means "mapped and written"), and holds the mapping.
//   SIGTERM, SIGUSR1 or SIGINT: munmap, close, exit 0.
// Exit: 0 after a signal, 3 MAP_SYNC refused (EOPNOTSUPP: the file is not DAX there), 2 usage or
//       another error.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "tests/vm/programs/guest_util.h"

namespace {

using daxd::vm::Fd;

struct Args {
  std::uint64_t seed = 1;
  std::size_t size = 4u << 20;
  std::string pidfile;
  std::string sumfile;
  std::string file;
};

bool parse(int argc, char** argv, Args& a) {
  int o = 0;
  while ((o = ::getopt(argc, argv, "s:z:p:c:")) != -1) {
    switch (o) {
      case 's': a.seed = std::strtoull(optarg, nullptr, 0); break;
      case 'z': a.size = daxd::vm::parse_size(optarg); break;
      case 'p': a.pidfile = optarg; break;
      case 'c': a.sumfile = optarg; break;
      default: return false;
    }
  }
  if (optind + 1 != argc || a.size == 0) return false;
  a.file = argv[optind];
  return true;
}

int hold_until_signalled(Args const& a, unsigned char* p, sigset_t const& stop) {
  std::string const sum = daxd::vm::checksum_hex(p, a.size);
  if (!a.sumfile.empty() && !daxd::vm::write_file_atomic(a.sumfile, sum + "\n")) {
    return std::perror(a.sumfile.c_str()), 2;
  }
  if (!a.pidfile.empty() &&
      !daxd::vm::write_file_atomic(a.pidfile, std::to_string(::getpid()) + "\n")) {
    return std::perror(a.pidfile.c_str()), 2;
  }
  std::printf("MAPSYNC OK pid=%d file=%s size=%zu checksum=%s statx_dax=%d\n", ::getpid(),
              a.file.c_str(), a.size, sum.c_str(), daxd::vm::statx_dax(a.file.c_str()));
  std::fflush(stdout);
  int const sig = daxd::vm::wait_for_stop_signal(stop);
  if (::munmap(p, a.size) != 0) return std::perror("munmap"), 2;
  std::printf("map_sync_writer: signal %d: unmapped %s, exiting\n", sig, a.file.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!parse(argc, argv, a)) {
    std::fprintf(stderr,
                 "usage: map_sync_writer [-s SEED] [-z SIZE] [-p PIDFILE] [-c SUMFILE] FILE\n");
    return 2;
  }
  sigset_t stop;
  daxd::vm::block_stop_signals(stop);  // before the pidfile exists: nobody can signal early
  Fd fd(::open(a.file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) return std::perror(a.file.c_str()), 2;
  if (::ftruncate(fd.get(), static_cast<off_t>(a.size)) != 0) return std::perror("ftruncate"), 2;
  void* m = ::mmap(nullptr, a.size, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_SYNC,
                   fd.get(), 0);
  if (m == MAP_FAILED) {
    int const err = errno;
    std::fprintf(stderr, "map_sync_writer: %s: mmap MAP_SYNC failed: %s (errno %d)%s statx_dax=%d\n",
                 a.file.c_str(), std::strerror(err), err,
                 err == EOPNOTSUPP ? ": the file is not DAX here" : "",
                 daxd::vm::statx_dax(a.file.c_str()));
    return err == EOPNOTSUPP ? 3 : 2;
  }
  auto* p = static_cast<unsigned char*>(m);
  for (std::size_t i = 0; i < a.size; ++i) p[i] = daxd::vm::pattern_byte(a.seed, i);
  if (::msync(p, a.size, MS_SYNC) != 0) return std::perror("msync"), 2;
  return hold_until_signalled(a, p, stop);
}
