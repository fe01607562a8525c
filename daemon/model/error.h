// SPDX-License-Identifier: Apache-2.0
// The one closed set of errors daxd reports, with the consumers that caused a refusal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/model/consumer.h"

namespace daxd {

/// Closed error enum. Mapped to HTTP status in api/problem.cpp and to CLI exit codes in
/// cli/exit_codes.cpp; nowhere else.
enum class Errc {
  invalid_argument,   // the request itself is wrong (bad name, size, mode)
  not_found,          // the named object does not exist
  already_exists,     // create with a different spec under an existing name
  conflict,           // another operation holds the resource
  busy,               // consumers (mounts, fds, mappings) block the change
  permission_denied,  // the peer may not do this
  unsupported,        // the kernel or the object cannot do this at all
  no_space,           // not enough capacity in the region
  io_error,           // the kernel or a library failed
  timeout,            // a deadline passed (hook, quiesce, wait)
  unavailable,        // a dependency (kernel module, device) is missing
  internal,           // a bug in daxd
};

/// Stable snake_case name used in problem+json "type" and in logs.
std::string_view to_string(Errc code);

struct Error {
  Errc code = Errc::internal;
  std::string message;  // lower-case, with context: "dax0.0: cannot ...: mounted at /mnt"
  std::vector<Consumer> blockers;  // filled when code == busy
  std::string cause;               // a second error kept when a rollback also failed

  Error() = default;
  Error(Errc c, std::string msg) : code(c), message(std::move(msg)) {}
  Error(Errc c, std::string msg, std::vector<Consumer> who)
      : code(c), message(std::move(msg)), blockers(std::move(who)) {}
};

/// Builds an Error from an errno value, choosing the closest Errc.
Error error_from_errno(int err, std::string context);

}  // namespace daxd
