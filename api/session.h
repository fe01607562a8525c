// SPDX-License-Identifier: Apache-2.0
// One HTTP/1.x connection: read a request, answer it, repeat while keep-alive; and the registry
// that lets the server close every session on stop.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>

#include "api/http_types.h"
#include "api/server.h"

namespace daxd::api {

/// A live connection as the registry sees it.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  /// Idle sessions close now; a session answering a request closes after the answer.
  virtual void shutdown() = 0;
};

/// The live sessions, so that stop() can reach each one; calls on_empty once stopping and the
/// last one is gone.
class SessionRegistry {
 public:
  void add(std::shared_ptr<SessionBase> const& session);
  /// Adds `session` unless `max` sessions are live already (0 = no limit); false = not added.
  bool try_add(std::shared_ptr<SessionBase> const& session, std::size_t max);
  std::size_t size() const;
  void remove(SessionBase const* session);
  /// Shuts every session down; `on_empty` runs (now, or when the last session ends).
  void shutdown_all(std::function<void()> on_empty);
  bool stopping() const;
  /// Forgets on_empty (the server is going away).
  void detach();

 private:
  mutable std::mutex mutex_;
  std::unordered_map<SessionBase const*, std::weak_ptr<SessionBase>> sessions_;
  bool stopping_ = false;
  std::function<void()> on_empty_;
};

/// See ServerOptions for each.
struct SessionLimits {
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 << 10;
  std::chrono::seconds idle_timeout{30};
  std::chrono::milliseconds event_keepalive{15000};
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{30};
  std::size_t max_connections = 0;  // 0 = no limit
};

/// What every session shares: the services, the limits and the registry.
struct SessionShared {
  // A constructor, not aggregate init: make_shared's parenthesised aggregates need clang >= 16.
  SessionShared(Services s, SessionLimits l) : services(std::move(s)), limits(l) {}
  Services services;
  SessionLimits limits;
  SessionRegistry registry;
  /// Where requests that may block run (ServerOptions::blocking_threads); empty = inline.
  boost::asio::any_io_executor blocking;
};

/// Starts serving an accepted connection; it keeps itself alive until the connection ends.
/// Beyond limits.max_connections the connection is refused at once: a unix peer reads a 503
/// problem+json, a TCP peer sees the connection close (no TLS handshake is spent on it).
void start_session(boost::asio::local::stream_protocol::socket socket, Peer peer,
                   std::shared_ptr<SessionShared> shared);
/// A TCP connection is TLS from its first byte.
void start_session(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls, Peer peer,
                   std::shared_ptr<SessionShared> shared);

}  // namespace daxd::api
