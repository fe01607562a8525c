// SPDX-License-Identifier: Apache-2.0
// Who is on the other end of the unix socket (SO_PEERCRED) and whether they may change state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/http_types.h"
#include "daemon/model/result.h"

namespace daxd::api {

/// The gid of a group by name. Errors: invalid_argument (no such group), io_error.
Result<std::uint32_t> lookup_group(std::string const& name);

/// Whether uid 0, or the user's primary or supplementary groups include `admin_gid`.
/// No admin group means only root is an admin.
bool is_admin(std::uint32_t uid, std::uint32_t gid, std::optional<std::uint32_t> admin_gid);

/// The credentials of a connected unix-socket peer, with local_admin decided by is_admin.
/// Errors: io_error (getsockopt failed).
Result<Peer> unix_peer(int fd, std::optional<std::uint32_t> admin_gid);

}  // namespace daxd::api
