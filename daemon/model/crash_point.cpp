// SPDX-License-Identifier: Apache-2.0
// The crash-point trigger, compiled only with DAXD_ENABLE_CRASH_POINTS.
#include "daemon/model/crash_point.h"

#if defined(DAXD_ENABLE_CRASH_POINTS)
#include <unistd.h>
#include <csignal>
#include <cstdlib>
#include <cstring>

namespace daxd::testing {

void crash_point(char const* name) {
  // Read every time (test builds only): a forked test child sets it after the parent ran.
  char const* const target = std::getenv("DAXD_CRASH_AT");
  if (target == nullptr || std::strcmp(target, name) != 0) return;
  static char const kMsg[] = "daxd: crash point reached\n";
  (void)!::write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
  ::kill(::getpid(), SIGKILL);
  std::_Exit(137);  // not reached
}

}  // namespace daxd::testing
#endif
