// SPDX-License-Identifier: Apache-2.0
// Accept loops for the unix socket and the TCP endpoint, each starting one session per peer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "api/session.h"
#include "daemon/model/result.h"

namespace daxd::api {

class Listener {
 public:
  virtual ~Listener() = default;
  /// Starts accepting (asynchronously, on the io_context).
  virtual void run() = 0;
  /// Stops accepting; thread-safe. A unix listener also removes its socket file.
  virtual void close() = 0;
  /// The bound TCP port; 0 for a unix listener.
  virtual std::uint16_t port() const = 0;
};

struct UnixListenOptions {
  std::string path;
  std::uint32_t mode = 0660;
  std::optional<std::uint32_t> group;      // chown the socket to this gid
  std::optional<std::uint32_t> admin_gid;  // for Peer::local_admin
};

/// A listening unix socket at options.path: the parent directory exists (created 0755), a stale
/// socket file is replaced, the file has `mode` and `group`.
/// Errors: invalid_argument (path too long, not a socket), io_error (in use, bind failed),
/// permission_denied.
Result<std::shared_ptr<Listener>> listen_unix(boost::asio::io_context& ioc,
                                              UnixListenOptions const& options,
                                              std::shared_ptr<SessionShared> shared);

/// A listening TCP socket on "host:port" ("[::1]:8443" for IPv6; port 0 picks one) whose
/// connections speak TLS with `tls`. Errors: invalid_argument (bad address, no context),
/// io_error, permission_denied.
Result<std::shared_ptr<Listener>> listen_tcp(boost::asio::io_context& ioc,
                                             std::string const& host_port,
                                             std::shared_ptr<boost::asio::ssl::context> tls,
                                             std::shared_ptr<SessionShared> shared);

}  // namespace daxd::api
