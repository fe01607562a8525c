// SPDX-License-Identifier: Apache-2.0
// Guest program: holds one file, directory or device open until told to let go.
//
// Usage: fd_holder PATH PIDFILE
//   Opens PATH read-only, then writes its pid to PIDFILE (its appearance means "holding").
//   FD_HOLDER_EXCL=1: with O_EXCL, which claims a block device the way mount and dm do, so
//   their own exclusive opens of it fail with EBUSY (a real dm failure for fault scenarios).
//   SIGTERM, SIGUSR1 or SIGINT: close, exit 0.
// Exit: 0 after a signal, 2 usage or open error.
#include "tests/vm/programs/guest_util.h"

int main(int argc, char** argv) {
  if (argc != 3) return std::fprintf(stderr, "usage: fd_holder PATH PIDFILE\n"), 2;
  sigset_t stop;
  daxd::vm::block_stop_signals(stop);
  char const* excl = std::getenv("FD_HOLDER_EXCL");
  int const flags = O_RDONLY | O_CLOEXEC | (excl != nullptr && excl[0] == '1' ? O_EXCL : 0);
  daxd::vm::Fd fd(::open(argv[1], flags));
  if (!fd.valid()) return std::perror(argv[1]), 2;
  if (!daxd::vm::write_file_atomic(argv[2], std::to_string(::getpid()) + "\n")) {
    return std::perror(argv[2]), 2;
  }
  std::printf("fd_holder pid=%d holds %s\n", ::getpid(), argv[1]);
  std::fflush(stdout);
  int const sig = daxd::vm::wait_for_stop_signal(stop);
  std::printf("fd_holder: signal %d: closing %s\n", sig, argv[1]);
  return 0;
}
