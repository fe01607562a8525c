// SPDX-License-Identifier: Apache-2.0
// The server: listeners, io threads, signal handling and graceful stop.
#include "api/server.h"

#include <sys/resource.h>

#include <atomic>
#include <csignal>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "api/listener.h"
#include "api/peer.h"
#include "api/session.h"
#include "api/tls.h"

namespace daxd::api {

namespace net = boost::asio;

class Server::Impl {
 public:
  Impl(ServerOptions options, Services services)
      : ioc_(std::max(1, options.threads)),
        options_(std::move(options)),
        shared_(std::make_shared<SessionShared>(
            std::move(services),
            SessionLimits{options_.max_body_bytes, options_.max_header_bytes, options_.idle_timeout,
                          options_.event_keepalive, options_.header_timeout, options_.body_timeout,
                          options_.max_connections})),
        strand_(net::make_strand(ioc_)),
        signals_(strand_),
        grace_(strand_),
        blocking_(static_cast<std::size_t>(std::max(1, options_.blocking_threads))) {
    shared_->blocking = blocking_.get_executor();
  }

  ~Impl() {
    // Waits in progress end within a slice once the hub is closed; then nothing can post to
    // the io_context any more.
    if (shared_->services.events) shared_->services.events->close();
    blocking_.join();
    shared_->registry.detach();
    // Started but never run (or run cut short): the socket file must not outlive the server.
    if (unix_) unix_->close();
    if (tcp_) tcp_->close();
  }

  Result<void> start();
  void run();
  void stop();
  std::uint16_t tcp_port() const { return tcp_ ? tcp_->port() : 0; }

 private:
  void do_stop();
  Result<std::shared_ptr<Listener>> listen_tls(ServerOptions const& options, Services& services);

  net::io_context ioc_;
  ServerOptions options_;
  std::shared_ptr<SessionShared> shared_;
  net::strand<net::io_context::executor_type> strand_;  // signals_, grace_ and do_stop
  net::signal_set signals_;
  net::steady_timer grace_;
  net::thread_pool blocking_;  // requests that may block (see ServerOptions::blocking_threads)
  std::shared_ptr<Listener> unix_;
  std::shared_ptr<Listener> tcp_;
  std::atomic<bool> stop_requested_{false};
  bool stopped_ = false;  // on strand_
};

// TCP has no peer credentials: it is served only over TLS and only to holders of the token.
Result<std::shared_ptr<Listener>> Server::Impl::listen_tls(ServerOptions const& options,
                                                           Services& services) {
  std::string const what = "tcp " + options.tcp_listen;
  if (options.tls_cert_file.empty() || options.tls_key_file.empty() || options.token_file.empty()) {
    return Fail(Errc::invalid_argument,
                what + ": tcp is served only with tls and a bearer token: set the tls "
                       "certificate, the tls key and the token file");
  }
  DAXD_ASSIGN_OR_RETURN(auto tls, make_tls_context(options.tls_cert_file, options.tls_key_file));
  DAXD_ASSIGN_OR_RETURN(services.bearer_token, read_token_file(options.token_file));
  return listen_tcp(ioc_, options.tcp_listen, std::move(tls), shared_);
}

// Every connection is a descriptor: with the soft limit at its usual 1024, max_connections
// could never be reached and accept would fail first. The hard limit is what the service
// manager granted (LimitNOFILE=).
namespace {
void raise_descriptor_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
  lim.rlim_cur = lim.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &lim);  // best effort: the old limit still serves
}
}  // namespace

Result<void> Server::Impl::start() {
  raise_descriptor_limit();
  std::optional<std::uint32_t> admin_gid;
  if (!options_.admin_group.empty()) {
    DAXD_ASSIGN_OR_RETURN(admin_gid, lookup_group(options_.admin_group));
  }
  std::optional<std::uint32_t> socket_gid;
  if (!options_.socket_group.empty()) {
    DAXD_ASSIGN_OR_RETURN(socket_gid, lookup_group(options_.socket_group));
  }
  if (!options_.unix_socket.empty()) {
    UnixListenOptions const unix_options{options_.unix_socket, options_.socket_mode, socket_gid,
                                         admin_gid};
    DAXD_ASSIGN_OR_RETURN(unix_, listen_unix(ioc_, unix_options, shared_));
  }
  if (!options_.tcp_listen.empty()) {
    auto tcp = listen_tls(options_, shared_->services);
    if (!tcp) {
      if (unix_) unix_->close();  // removes the socket file once the loop runs
      unix_.reset();
      return std::move(tcp).error();
    }
    tcp_ = std::move(*tcp);
  }
  // Installed here, not in run(): main announces READY=1 as soon as start() returns, and a
  // SIGTERM that arrives before run() must not meet the default action (asio records it and
  // delivers it once the loop runs).
  boost::system::error_code ec;
  signals_.add(SIGINT, ec);
  if (!ec) signals_.add(SIGTERM, ec);
  if (ec) return Fail(Errc::internal, "cannot install signal handlers: " + ec.message());
  signals_.async_wait([this](boost::system::error_code wait_ec, int /*signal*/) {
    if (!wait_ec) stop();
  });
  return Ok();
}

void Server::Impl::run() {
  if (unix_) unix_->run();
  if (tcp_) tcp_->run();
  int const extra = std::max(1, options_.threads) - 1;
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(extra));
  for (int i = 0; i < extra; ++i) threads.emplace_back([this] { ioc_.run(); });
  ioc_.run();
  for (auto& t : threads) t.join();
}

void Server::Impl::stop() {
  if (stop_requested_.exchange(true)) return;
  net::post(strand_, [this] { do_stop(); });
}

// Stop accepting, let answers in flight finish, close idle sessions; if some session outlives
// the grace period, the io_context is stopped and its handlers are dropped.
void Server::Impl::do_stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  // Event streams end and waiting requests answer with the operation as it is.
  if (shared_->services.events) shared_->services.events->close();
  if (unix_) unix_->close();
  if (tcp_) tcp_->close();
  grace_.expires_after(options_.shutdown_grace);
  grace_.async_wait([this](boost::system::error_code ec) {
    if (!ec) ioc_.stop();
  });
  shared_->registry.shutdown_all([this] { net::post(strand_, [this] { grace_.cancel(); }); });
}

Server::Server(ServerOptions options, Services services)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(services))) {}
Server::~Server() = default;
Result<void> Server::start() { return impl_->start(); }
void Server::run() { impl_->run(); }
void Server::stop() { impl_->stop(); }
std::uint16_t Server::tcp_port() const { return impl_->tcp_port(); }

}  // namespace daxd::api
