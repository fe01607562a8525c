// SPDX-License-Identifier: Apache-2.0
// The daxd HTTP/1.1 server: a unix socket (peer credentials) and optionally TCP, serving the API.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/event_hub.h"
#include "api/metrics.h"
#include "api/rendered_bodies.h"
#include "daemon/inventory/inventory.h"
#include "daemon/model/result.h"

namespace daxd::state {
class DesiredState;
}  // namespace daxd::state

namespace daxd::orchestrator {
class Orchestrator;
class Hooks;
}

namespace daxd::api {

struct ServerOptions {
  std::string unix_socket = "/run/daxd/daxd.sock";  // "" = no unix socket
  std::uint32_t socket_mode = 0660;
  std::string socket_group;  // group that owns the socket (e.g. "daxd"); "" = keep
  std::string admin_group;   // members may use mutating routes; uid 0 always may
  std::string tcp_listen;    // "127.0.0.1:8443"; "" = no TCP (the default)
  // TCP is served only over TLS and only to clients that present the bearer token; start()
  // refuses a tcp_listen without all three.
  std::string tls_cert_file;  // PEM certificate chain
  std::string tls_key_file;   // PEM private key
  std::string token_file;     // the bearer token, one line, mode 0600
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 << 10;
  /// How long a kept-alive (or new) connection may stay silent before its next request starts.
  std::chrono::seconds idle_timeout{30};
  /// From a request's first byte, how long the client has to send the whole header (slowloris:
  /// a header sent a byte at a time is cut off when this runs out).
  std::chrono::seconds header_timeout{10};
  /// From the end of the header, how long the client has to send the whole body.
  std::chrono::seconds body_timeout{30};
  /// Open connections (unix and TCP together, event streams included). One more is answered
  /// 503 problem+json and closed at once; 0 = no limit.
  std::size_t max_connections = 1024;
  int threads = 2;
  /// How long stop() lets in-flight requests finish before sessions are cut.
  std::chrono::seconds shutdown_grace{10};
  /// Threads that run requests which may block (mutations, ?wait=): the io threads never wait
  /// for an operation. At most this many such requests run at once; more queue in order.
  int blocking_threads = 8;
  /// How often an idle event stream (GET /v1/events) gets a ": keep-alive" comment.
  std::chrono::milliseconds event_keepalive{15000};
};

/// One mutating request, as the audit log records it.
struct AuditRecord {
  std::uint32_t uid;
  std::uint32_t gid;
  std::int32_t pid;
  std::string method;
  std::string path;
  std::string body_excerpt;
  unsigned status;
  std::string result;  // "ok" or the problem type name ("permission_denied")
  std::int64_t operation_id = 0;
  std::int64_t id = 0;     // set when read back from the log
  std::int64_t at_ms = 0;  // ms since the epoch; set when read back from the log
};

/// Which audit records GET /v1/audit asks for: newest first, ids above since_id, skipping the
/// `offset` newest of those, at most `limit`.
struct AuditQuery {
  int limit = 50;
  int offset = 0;
  std::int64_t since_id = 0;
};

/// What the routes serve from. Copies share the same metrics.
struct Services {
  inventory::Inventory& inventory;
  std::string host_description;                   // "sim:/tmp/x.json" or "linux"
  std::function<void(AuditRecord const&)> audit;  // called for every mutating request; may be empty
  std::shared_ptr<Metrics> metrics = std::make_shared<Metrics>();
  /// Read fresh by the mutating routes and /v1/consumers; null -> those answer 503.
  host::Host* host = nullptr;
  /// Runs the mutations and answers /v1/operations; null -> those answer 503 unavailable.
  orchestrator::Orchestrator* orchestrator = nullptr;
  /// Desired volumes and hooks (SQLite), for the volume and hook routes; null -> they answer 503.
  state::DesiredState* desired = nullptr;
  /// Quiesce hooks (registry and acknowledgements) for /v1/hooks; null -> those answer 503.
  orchestrator::Hooks* hooks = nullptr;
  /// The bearer token TCP clients must present (Server::start reads it from token_file); TCP
  /// requests are refused with 401 while it is empty. Unix peers never need it.
  std::string bearer_token = {};
  /// Live events for GET /v1/events; main publishes each event after persisting it. The server
  /// closes it when it stops.
  std::shared_ptr<EventHub> events = std::make_shared<EventHub>();
  /// Stored events with id > since_id, oldest first, at most `limit` (state::EventLog::since):
  /// the replay for Last-Event-ID / ?since=. Empty -> a replay request answers 503.
  std::function<std::vector<StoredEvent>(std::int64_t since_id, int limit)> event_history = {};
  /// The audit log for GET /v1/audit (state::AuditLog::newest). Empty -> that route answers 503.
  std::function<Result<std::vector<AuditRecord>>(AuditQuery const&)> audit_history = {};
  /// The list routes' bodies for the current inventory view (rendered_bodies.h).
  std::shared_ptr<RenderedBodies> rendered_bodies = std::make_shared<RenderedBodies>();
};

class Server {
 public:
  Server(ServerOptions options, Services services);
  ~Server();
  Server(Server const&) = delete;
  Server& operator=(Server const&) = delete;

  /// Listeners are bound (a stale socket file is replaced, mode and group set); the soft
  /// RLIMIT_NOFILE is raised to the hard one, so that max_connections can be reached.
  /// Errors: invalid_argument (bad tcp_listen, unknown group), io_error, permission_denied.
  Result<void> start();
  /// Serves until stop() or SIGINT/SIGTERM (asio::signal_set inside), then closes every
  /// session and returns. Runs options.threads io threads including the caller.
  void run();
  /// Thread-safe; run() returns soon after.
  void stop();

  /// The bound TCP port (useful with tcp_listen "127.0.0.1:0"); 0 without TCP.
  std::uint16_t tcp_port() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace daxd::api
