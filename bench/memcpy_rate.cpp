// SPDX-License-Identifier: Apache-2.0
// Baselines for the copy snapshot's bandwidth, measured in the same guest as the snapshot:
//
//   memcpy_rate MIB [REPS]
//       a plain memcpy between two buffers of anonymous memory (DRAM to DRAM)
//       -> "memcpy_mib_s=X best_ms=Y mib=N reps=R"
//   memcpy_rate --dax FROM TO MIB[,MIB...] [REPS]
//       a memcpy between two DAX mappings, the medium's own copy speed: FROM and TO are files on
//       a filesystem mounted with DAX (created or extended to the largest MIB, mapped
//       MAP_SHARED_VALIDATE|MAP_SYNC, so a mapping that is not DAX is refused) or devdax
//       character devices (MAP_SHARED). Each copy is made durable as a MAP_SYNC writer must:
//       every cache line of the target written back (clwb, else clflushopt, else clflush) and an
//       sfence, inside the timed part. One line per size:
//       -> "dax_memcpy_mib_s=X best_ms=Y flush=clwb mib=N reps=R"
//   memcpy_rate --direct FROM TO MIB CHUNK_KIB [REPS]
//       dd-style: O_DIRECT pread/pwrite of CHUNK_KIB at a time, then fdatasync (the figure
//       includes it); FROM "-" writes a zeroed buffer only, TO "-" reads only
//       -> "direct_mib_s=X best_ms=Y chunk_kib=C mib=N reps=R"
//
// The buffers and mappings are touched first, so each figure is the copy alone, not page faults;
// the best of REPS (default 3) is printed.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

namespace {

constexpr std::size_t kLine = 64;

[[noreturn]] void die(std::string const& what) {
  std::fprintf(stderr, "memcpy_rate: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

/// Best wall time of `reps` runs of `run`, in ms.
double best_ms_of(int reps, std::function<void()> const& run) {
  double best = 1e300;
  for (int i = 0; i < reps; ++i) {
    auto const t0 = std::chrono::steady_clock::now();
    run();
    std::chrono::duration<double, std::milli> const took = std::chrono::steady_clock::now() - t0;
    best = std::min(best, took.count());
  }
  return best;
}

double mib_s(std::size_t mib, double ms) { return static_cast<double>(mib) * 1000.0 / ms; }

int dram(std::size_t mib, int reps) {
  std::size_t const bytes = mib << 20;
  auto const from = std::make_unique<char[]>(bytes);
  auto const to = std::make_unique<char[]>(bytes);
  std::memset(from.get(), 0x5a, bytes);
  std::memset(to.get(), 0, bytes);
  double const best = best_ms_of(reps, [&] { std::memcpy(to.get(), from.get(), bytes); });
  // Read the copy back so the compiler cannot drop it.
  if (to[bytes - 1] != 0x5a) return 1;
  std::printf("memcpy_mib_s=%.0f best_ms=%.1f mib=%zu reps=%d\n", mib_s(mib, best), best, mib,
              reps);
  return 0;
}

// ---- DAX ----

enum class Flush { clwb, clflushopt, clflush, msync };

Flush pick_flush() {
#if defined(__x86_64__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) != 0) {
    if ((b & (1U << 24)) != 0) return Flush::clwb;
    if ((b & (1U << 23)) != 0) return Flush::clflushopt;
  }
  return Flush::clflush;
#else
  return Flush::msync;
#endif
}

char const* flush_name(Flush f) {
  switch (f) {
    case Flush::clwb:
      return "clwb";
    case Flush::clflushopt:
      return "clflushopt";
    case Flush::clflush:
      return "clflush";
    case Flush::msync:
      return "msync";
  }
  return "?";
}

/// Writes back [p, p + bytes) from the CPU caches to the persistence domain.
void persist(char* p, std::size_t bytes, Flush f) {
#if defined(__x86_64__)
  char* const end = p + bytes;
  switch (f) {
    case Flush::clwb:
      for (char* l = p; l < end; l += kLine) asm volatile("clwb %0" : "+m"(*l));
      break;
    case Flush::clflushopt:
      for (char* l = p; l < end; l += kLine) asm volatile("clflushopt %0" : "+m"(*l));
      break;
    case Flush::clflush:
      for (char* l = p; l < end; l += kLine) asm volatile("clflush %0" : "+m"(*l));
      break;
    case Flush::msync:
      break;
  }
  asm volatile("sfence" ::: "memory");
  if (f != Flush::msync) return;
#else
  (void)f;
#endif
  if (::msync(p, bytes, MS_SYNC) != 0) die("msync");
}

/// A DAX mapping of `bytes` of `path`: a file (extended, MAP_SYNC) or a devdax device.
char* map_dax(std::string const& path, std::size_t bytes) {
  int const fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) die(path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) die(path);
  int flags = MAP_SHARED;
  if (S_ISREG(st.st_mode)) {
    int const err = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes));
    if (err != 0) {
      errno = err;
      die(path + ": fallocate");
    }
    flags = MAP_SHARED_VALIDATE | MAP_SYNC;  // EOPNOTSUPP unless the file is DAX
  } else if (!S_ISCHR(st.st_mode)) {
    errno = EINVAL;
    die(path + ": neither a file nor a devdax device");
  }
  void* const p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, flags, fd, 0);
  if (p == MAP_FAILED) die(path + ": mmap" + (S_ISREG(st.st_mode) ? " MAP_SYNC (is it DAX?)" : ""));
  ::close(fd);
  return static_cast<char*>(p);
}

int dax(std::string const& from_path, std::string const& to_path,
        std::vector<std::size_t> const& mibs, int reps) {
  std::size_t const bytes = *std::max_element(mibs.begin(), mibs.end()) << 20;
  Flush const f = pick_flush();
  char* const from = map_dax(from_path, bytes);
  char* const to = map_dax(to_path, bytes);
  std::memset(from, 0x5a, bytes);
  persist(from, bytes, f);
  for (std::size_t const mib : mibs) {
    std::size_t const n = mib << 20;
    to[n - 1] = 0;  // the check below sees this copy's last byte, not an earlier one's
    persist(to + n - kLine, kLine, f);
    double const best = best_ms_of(reps, [&] {
      std::memcpy(to, from, n);
      persist(to, n, f);
    });
    if (to[n - 1] != 0x5a) return 1;
    std::printf("dax_memcpy_mib_s=%.0f best_ms=%.1f flush=%s mib=%zu reps=%d\n", mib_s(mib, best),
                best, flush_name(f), mib, reps);
    std::fflush(stdout);
  }
  ::munmap(from, bytes);
  ::munmap(to, bytes);
  return 0;
}

// ---- O_DIRECT, dd-style ----

int direct(std::string const& from_path, std::string const& to_path, std::size_t mib,
           std::size_t chunk_kib, int reps) {
  std::size_t const bytes = mib << 20;
  std::size_t const chunk = chunk_kib << 10;
  if (chunk == 0 || chunk % 4096 != 0 || bytes % chunk != 0) {
    std::fprintf(stderr, "memcpy_rate: CHUNK_KIB must be a multiple of 4 dividing MIB\n");
    return 2;
  }
  int const in = from_path == "-" ? -1 : ::open(from_path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
  if (from_path != "-" && in < 0) die(from_path);
  int const out = to_path == "-" ? -1 : ::open(to_path.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
  if (to_path != "-" && out < 0) die(to_path);
  char* const buf = static_cast<char*>(std::aligned_alloc(4096, chunk));
  if (buf == nullptr) die("aligned_alloc");
  std::memset(buf, 0, chunk);
  double const best = best_ms_of(reps, [&] {
    for (std::size_t off = 0; off < bytes; off += chunk) {
      if (in >= 0 &&
          ::pread(in, buf, chunk, static_cast<off_t>(off)) != static_cast<ssize_t>(chunk)) {
        die(from_path + ": pread");
      }
      if (out >= 0 &&
          ::pwrite(out, buf, chunk, static_cast<off_t>(off)) != static_cast<ssize_t>(chunk)) {
        die(to_path + ": pwrite");
      }
    }
    if (out >= 0 && ::fdatasync(out) != 0) die(to_path + ": fdatasync");
  });
  std::printf("direct_mib_s=%.0f best_ms=%.1f chunk_kib=%zu mib=%zu reps=%d\n", mib_s(mib, best),
              best, chunk_kib, mib, reps);
  std::free(buf);
  return 0;
}

int usage() {
  std::fprintf(stderr,
               "usage: memcpy_rate MIB [REPS]\n"
               "       memcpy_rate --dax FROM TO MIB[,MIB...] [REPS]\n"
               "       memcpy_rate --direct FROM|- TO|- MIB CHUNK_KIB [REPS]\n");
  return 2;
}

std::size_t positive(char const* s) {
  char* end = nullptr;
  unsigned long const v = std::strtoul(s, &end, 10);
  return end != s && *end == '\0' ? v : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string_view const mode = argv[1];
  if (mode == "--dax") {
    if (argc < 5) return usage();
    std::vector<std::size_t> mibs;
    for (char* tok = std::strtok(argv[4], ","); tok != nullptr; tok = std::strtok(nullptr, ",")) {
      mibs.push_back(positive(tok));
      if (mibs.back() == 0) return usage();
    }
    int const reps = argc > 5 ? static_cast<int>(positive(argv[5])) : 3;
    if (mibs.empty() || reps <= 0) return usage();
    return dax(argv[2], argv[3], mibs, reps);
  }
  if (mode == "--direct") {
    if (argc < 6) return usage();
    std::size_t const mib = positive(argv[4]);
    std::size_t const chunk_kib = positive(argv[5]);
    int const reps = argc > 6 ? static_cast<int>(positive(argv[6])) : 3;
    if (mib == 0 || chunk_kib == 0 || reps <= 0) return usage();
    return direct(argv[2], argv[3], mib, chunk_kib, reps);
  }
  std::size_t const mib = positive(argv[1]);
  int const reps = argc > 2 ? static_cast<int>(positive(argv[2])) : 3;
  if (mib == 0 || reps <= 0) return usage();
  return dram(mib, reps);
}
