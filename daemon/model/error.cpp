// SPDX-License-Identifier: Apache-2.0
// Names of error codes and the errno -> Errc mapping used by every host implementation.
#include "daemon/model/error.h"

#include <cerrno>
#include <cstring>

namespace daxd {

std::string_view to_string(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::not_found:
      return "not_found";
    case Errc::already_exists:
      return "already_exists";
    case Errc::conflict:
      return "conflict";
    case Errc::busy:
      return "busy";
    case Errc::permission_denied:
      return "permission_denied";
    case Errc::unsupported:
      return "unsupported";
    case Errc::no_space:
      return "no_space";
    case Errc::io_error:
      return "io_error";
    case Errc::timeout:
      return "timeout";
    case Errc::unavailable:
      return "unavailable";
    case Errc::internal:
      return "internal";
  }
  return "internal";
}

Error error_from_errno(int err, std::string context) {
  // errno values arrive both positive and negative (libndctl returns -errno).
  if (err < 0) err = -err;
  Errc code = Errc::io_error;
  switch (err) {
    case EINVAL:
      code = Errc::invalid_argument;
      break;
    case ENOENT:
    case ENXIO:
    case ENODEV:
      code = Errc::not_found;
      break;
    case EEXIST:
      code = Errc::already_exists;
      break;
    case EBUSY:
      code = Errc::busy;
      break;
    case EPERM:
    case EACCES:
      code = Errc::permission_denied;
      break;
    case EOPNOTSUPP:
      code = Errc::unsupported;
      break;
    case ENOSPC:
      code = Errc::no_space;
      break;
    case ETIMEDOUT:
      code = Errc::timeout;
      break;
    default:
      break;
  }
  return Error{code, std::move(context) + ": " + std::strerror(err)};
}

}  // namespace daxd
