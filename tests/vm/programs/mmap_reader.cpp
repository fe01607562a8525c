// SPDX-License-Identifier: Apache-2.0
// Guest program: maps a file with plain MAP_SHARED, checks its data, and reports whether the
// kernel serves it with DAX (statx) and would allow a MAP_SYNC mapping of it.
//
// Usage: mmap_reader [-s SEED] [-c SUMFILE] [-d 0|1] [-m ok|unsupported] [-p PIDFILE] FILE
//   -s  the file must hold map_sync_writer's pattern of SEED
//   -c  its checksum must equal the one in SUMFILE
//   -d  STATX_ATTR_DAX must be this;  -m  a MAP_SYNC mapping must succeed / fail with EOPNOTSUPP
//   -p  after the checks, write the pid to PIDFILE and hold the plain mapping until SIGTERM,
//       SIGUSR1 or SIGINT (then exit 0)
// Prints "checksum=HEX statx_dax=N map_sync=ok|unsupported|<error>" (and what did not match).
// Exit: 0 every check passed, 1 a check failed, 2 usage or I/O error.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "tests/vm/programs/guest_util.h"

namespace {

using daxd::vm::Fd;

struct Args {
  std::string seed;
  std::string sumfile;
  std::string want_dax;
  std::string want_sync;
  std::string pidfile;
  std::string file;
};

bool parse(int argc, char** argv, Args& a) {
  int o = 0;
  while ((o = ::getopt(argc, argv, "s:c:d:m:p:")) != -1) {
    switch (o) {
      case 's': a.seed = optarg; break;
      case 'c': a.sumfile = optarg; break;
      case 'd': a.want_dax = optarg; break;
      case 'm': a.want_sync = optarg; break;
      case 'p': a.pidfile = optarg; break;
      default: return false;
    }
  }
  if (optind + 1 != argc) return false;
  a.file = argv[optind];
  return true;
}

std::string map_sync_probe(int fd, std::size_t size) {
  void* m = ::mmap(nullptr, size, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0);
  if (m != MAP_FAILED) {
    ::munmap(m, size);
    return "ok";
  }
  return errno == EOPNOTSUPP ? "unsupported" : std::string("error:") + std::strerror(errno);
}

std::string read_first_word(std::string const& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return "";
  char buf[64] = {};
  int const n = std::fscanf(f, "%63s", buf);
  std::fclose(f);
  return n == 1 ? buf : "";
}

// Checks the mapped data and the probes; prints every mismatch, returns how many there were.
int check(Args const& a, unsigned char const* p, std::size_t size, std::string const& sync) {
  int bad = 0;
  std::string const sum = daxd::vm::checksum_hex(p, size);
  int const dax = daxd::vm::statx_dax(a.file.c_str());
  std::printf("checksum=%s statx_dax=%d map_sync=%s size=%zu\n", sum.c_str(), dax, sync.c_str(),
              size);
  if (!a.seed.empty()) {
    std::uint64_t const seed = std::strtoull(a.seed.c_str(), nullptr, 0);
    for (std::size_t i = 0; i < size; ++i) {
      if (p[i] == daxd::vm::pattern_byte(seed, i)) continue;
      std::printf("MISMATCH pattern of seed %s differs at byte %zu\n", a.seed.c_str(), i);
      ++bad;
      break;
    }
  }
  if (!a.sumfile.empty() && read_first_word(a.sumfile) != sum) {
    std::printf("MISMATCH checksum %s, %s holds '%s'\n", sum.c_str(), a.sumfile.c_str(),
                read_first_word(a.sumfile).c_str());
    ++bad;
  }
  if (!a.want_dax.empty() && a.want_dax != std::to_string(dax)) {
    std::printf("MISMATCH statx_dax=%d, expected %s\n", dax, a.want_dax.c_str());
    ++bad;
  }
  if (!a.want_sync.empty() && a.want_sync != sync) {
    std::printf("MISMATCH map_sync=%s, expected %s\n", sync.c_str(), a.want_sync.c_str());
    ++bad;
  }
  return bad;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!parse(argc, argv, a)) {
    std::fprintf(stderr, "usage: mmap_reader [-s SEED] [-c SUMFILE] [-d 0|1] [-m ok|unsupported]"
                         " [-p PIDFILE] FILE\n");
    return 2;
  }
  sigset_t stop;
  daxd::vm::block_stop_signals(stop);
  Fd fd(::open(a.file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::perror(a.file.c_str()), 2;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || st.st_size <= 0) {
    return std::fprintf(stderr, "%s: empty or unreadable\n", a.file.c_str()), 2;
  }
  auto const size = static_cast<std::size_t>(st.st_size);
  void* m = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd.get(), 0);
  if (m == MAP_FAILED) return std::perror("mmap"), 2;
  int const bad = check(a, static_cast<unsigned char const*>(m), size, map_sync_probe(fd.get(), size));
  std::fflush(stdout);
  if (bad != 0) return 1;
  if (a.pidfile.empty()) return 0;
  if (!daxd::vm::write_file_atomic(a.pidfile, std::to_string(::getpid()) + "\n")) {
    return std::perror(a.pidfile.c_str()), 2;
  }
  daxd::vm::wait_for_stop_signal(stop);
  ::munmap(m, size);
  return 0;
}
