// SPDX-License-Identifier: Apache-2.0
// Exit code mapping; a switch without default so that a new Errc must be placed here.
#include "cli/exit_codes.h"

namespace daxd::cli {
namespace {

int client_side(Errc code) {
  switch (code) {
    case Errc::invalid_argument:   // arguments daxadm rejected before asking daxd
    case Errc::unavailable:        // no socket, connection refused
    case Errc::permission_denied:  // the socket exists but this user may not open it
    case Errc::timeout:            // daxd did not answer
    case Errc::io_error:           // the connection broke
      return kExitUsage;
    case Errc::not_found:
    case Errc::already_exists:
    case Errc::conflict:
    case Errc::busy:
    case Errc::unsupported:
    case Errc::no_space:
    case Errc::internal:
      return kExitFailure;
  }
  return kExitFailure;
}

}  // namespace

int exit_code_for(Errc code, ErrorOrigin origin) {
  switch (origin) {
    case ErrorOrigin::daxd:
      return kExitFailure;
    case ErrorOrigin::client:
      return client_side(code);
  }
  return kExitFailure;
}

}  // namespace daxd::cli
