// SPDX-License-Identifier: Apache-2.0
// daxadm as a function: arguments in, text on the given streams, exit code out.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "daemon/model/error.h"

namespace daxd::cli {

/// Runs daxadm with `args` (args[0] is the program name). The default socket comes from the
/// DAXD_SOCKET environment variable, else /run/daxd/daxd.sock. Returns the exit code.
int run(std::vector<std::string> const& args, std::ostream& out, std::ostream& err);

/// "daxadm: <message>" and one indented line per blocking consumer (and the rollback cause).
std::string format_error(Error const& error);

/// "blocked by pid 1234 (postgres): mapping /mnt/db/wal (MAP_SYNC)"
std::string describe_blocker(Consumer const& consumer);

}  // namespace daxd::cli
