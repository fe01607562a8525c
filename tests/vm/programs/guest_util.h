// SPDX-License-Identifier: Apache-2.0
// Shared by the guest test programs: an fd owner, atomic small-file writes, the deterministic
// data pattern with its checksum, the STATX_ATTR_DAX probe and a wait for a stop signal.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace daxd::vm {

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd const&) = delete;
  Fd& operator=(Fd const&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_;
};

// Byte i of the pattern for `seed`: a cheap hash of (seed, i), so a shifted or stale page
// shows up as a mismatch at a known offset.
inline unsigned char pattern_byte(std::uint64_t seed, std::uint64_t i) {
  std::uint64_t x = (i / 8 + 1) * 0x9e3779b97f4a7c15ULL ^ seed * 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 31;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 29;
  return static_cast<unsigned char>(x >> ((i % 8) * 8));
}

// "4096", "8M", "2G" (K/M/G binary); 0 for anything else.
inline std::size_t parse_size(char const* text) {
  char* end = nullptr;
  unsigned long long const n = std::strtoull(text, &end, 0);
  unsigned shift = 0;
  if (*end == 'K') shift = 10;
  if (*end == 'M') shift = 20;
  if (*end == 'G') shift = 30;
  if (shift != 0) ++end;
  if (end == text || *end != '\0') return 0;
  return static_cast<std::size_t>(n << shift);
}

// FNV-1a over `n` bytes, as 16 hex digits.
inline std::string checksum_hex(unsigned char const* p, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

// Writes `text` to `path` through a temporary and rename: a reader never sees half of it.
inline bool write_file_atomic(std::string const& path, std::string const& text) {
  std::string const tmp = path + ".tmp";
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return false;
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t const n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return ::rename(tmp.c_str(), path.c_str()) == 0;
}

// STATX_ATTR_DAX of `path`: 1 set, 0 clear, -1 unknown (statx failed or the kernel lacks it).
inline int statx_dax(char const* path) {
  struct statx sx {};
  if (::statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &sx) != 0) return -1;
  if ((sx.stx_attributes_mask & STATX_ATTR_DAX) == 0) return -1;
  return (sx.stx_attributes & STATX_ATTR_DAX) != 0 ? 1 : 0;
}

// Blocks SIGTERM, SIGUSR1 and SIGINT (call before anything that may be signalled), so that
// wait_for_stop_signal() receives them instead of the default action.
inline void block_stop_signals(sigset_t& set) {
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, nullptr);
}

inline int wait_for_stop_signal(sigset_t const& set) {
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

}  // namespace daxd::vm
