// SPDX-License-Identifier: Apache-2.0
// Binding the unix socket file (mode, group, stale file) and the TCP endpoint, and accepting.
#include "api/listener.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <utility>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "api/peer.h"

namespace daxd::api {

namespace net = boost::asio;
using local = net::local::stream_protocol;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::chrono::milliseconds kAcceptBackoff{100};

Error from_ec(error_code const& ec, std::string context) {
  if (ec.category() == boost::system::system_category()) {
    return error_from_errno(ec.value(), std::move(context));
  }
  return Error{Errc::io_error, std::move(context) + ": " + ec.message()};
}

template <class Protocol>
class AcceptLoop final : public Listener,
                         public std::enable_shared_from_this<AcceptLoop<Protocol>> {
 public:
  AcceptLoop(net::io_context& ioc, std::shared_ptr<SessionShared> shared, std::string unlink_path,
             std::optional<std::uint32_t> admin_gid,
             std::shared_ptr<net::ssl::context> tls = nullptr)
      : ioc_(ioc),
        acceptor_(net::make_strand(ioc)),
        backoff_(acceptor_.get_executor()),
        shared_(std::move(shared)),
        unlink_path_(std::move(unlink_path)),
        admin_gid_(admin_gid),
        tls_(std::move(tls)) {}

  typename Protocol::acceptor& acceptor() { return acceptor_; }

  void run() override { net::post(acceptor_.get_executor(), beast_bind(&AcceptLoop::do_accept)); }

  void close() override {
    // The file goes now (also when the io_context never runs again); the acceptor is closed on
    // its strand, which cancels the pending accept.
    if (!unlink_path_.empty() && !unlinked_.exchange(true)) ::unlink(unlink_path_.c_str());
    net::post(acceptor_.get_executor(), [self = this->shared_from_this()] {
      error_code ignored;
      self->acceptor_.close(ignored);
      self->backoff_.cancel();
    });
  }

  std::uint16_t port() const override {
    if constexpr (std::is_same_v<Protocol, tcp>) {
      error_code ec;
      auto const ep = acceptor_.local_endpoint(ec);
      return ec ? 0 : ep.port();
    } else {
      return 0;
    }
  }

 private:
  template <class F>
  auto beast_bind(F f) {
    return boost::beast::bind_front_handler(f, this->shared_from_this());
  }

  void do_accept() {
    if (!acceptor_.is_open()) return;
    // Each connection gets its own strand so that its handlers never run concurrently.
    acceptor_.async_accept(net::make_strand(ioc_), beast_bind(&AcceptLoop::on_accept));
  }

  void on_accept(error_code ec, typename Protocol::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) serve(std::move(socket));
    if (out_of_descriptors(ec)) {
      // The pending connection stays queued and accept would fail again at once: pause, so
      // that closing sessions free descriptors instead of this loop spinning.
      backoff_.expires_after(kAcceptBackoff);
      backoff_.async_wait([self = this->shared_from_this()](error_code wait_ec) {
        if (!wait_ec) self->do_accept();
      });
      return;
    }
    // Other accept errors (ECONNABORTED) concern one connection: keep listening.
    do_accept();
  }

  static bool out_of_descriptors(error_code const& ec) {
    return ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
           ec == net::error::no_memory ||
           (ec.category() == boost::system::system_category() && ec.value() == ENFILE);
  }

  void serve(typename Protocol::socket socket) {
    if constexpr (std::is_same_v<Protocol, tcp>) {
      start_session(std::move(socket), *tls_, Peer{}, shared_);
    } else {
      auto peer = unix_peer(socket.native_handle(), admin_gid_);
      if (!peer) return;  // no credentials, no service: the socket closes here
      start_session(std::move(socket), std::move(*peer), shared_);
    }
  }

  net::io_context& ioc_;
  typename Protocol::acceptor acceptor_;
  net::steady_timer backoff_;  // on acceptor_'s strand
  std::shared_ptr<SessionShared> shared_;
  std::string unlink_path_;
  std::optional<std::uint32_t> admin_gid_;
  std::shared_ptr<net::ssl::context> tls_;  // TCP only
  std::atomic<bool> unlinked_{false};
};

Result<void> prepare_parent(std::filesystem::path const& path) {
  auto const parent = path.parent_path();
  if (parent.empty()) return Ok();
  std::error_code ec;
  if (std::filesystem::exists(parent, ec)) return Ok();
  std::filesystem::create_directories(parent, ec);
  if (ec) return error_from_errno(ec.value(), parent.string() + ": cannot create directory");
  if (::chmod(parent.c_str(), 0755) != 0) {
    return error_from_errno(errno, parent.string() + ": cannot set mode");
  }
  return Ok();
}

// A socket file left by a daxd that died is replaced; one that still answers is not ours to take.
Result<void> remove_stale_socket(net::io_context& ioc, std::string const& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Ok();
    return error_from_errno(errno, path);
  }
  if (!S_ISSOCK(st.st_mode)) {
    return Fail(Errc::invalid_argument, path + ": exists and is not a socket");
  }
  local::socket probe(ioc);
  error_code ec;
  probe.connect(local::endpoint(path), ec);
  if (!ec) return Fail(Errc::io_error, path + ": another server is listening on it");
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return error_from_errno(errno, path + ": cannot remove stale socket");
  }
  return Ok();
}

Result<void> set_owner_and_mode(UnixListenOptions const& options) {
  if (::chmod(options.path.c_str(), static_cast<mode_t>(options.mode)) != 0) {
    return error_from_errno(errno, options.path + ": cannot set mode");
  }
  if (options.group && ::chown(options.path.c_str(), static_cast<uid_t>(-1), *options.group) != 0) {
    return error_from_errno(errno, options.path + ": cannot set group");
  }
  return Ok();
}

Result<tcp::endpoint> parse_host_port(std::string const& host_port) {
  auto const colon = host_port.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Fail(Errc::invalid_argument, "tcp listen address " + host_port + ": expected host:port");
  }
  std::string host = host_port.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  auto const port_text = std::string_view(host_port).substr(colon + 1);
  std::uint16_t port = 0;
  auto const [end, err] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (err != std::errc() || end != port_text.data() + port_text.size() || port_text.empty()) {
    return Fail(Errc::invalid_argument, "tcp listen address " + host_port + ": bad port");
  }
  error_code ec;
  auto const address = net::ip::make_address(host, ec);
  if (ec) {
    return Fail(Errc::invalid_argument, "tcp listen address " + host_port + ": bad ip address");
  }
  return tcp::endpoint(address, port);
}

}  // namespace

Result<std::shared_ptr<Listener>> listen_unix(net::io_context& ioc,
                                              UnixListenOptions const& options,
                                              std::shared_ptr<SessionShared> shared) {
  if (options.path.empty() || options.path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return Fail(Errc::invalid_argument,
                "unix socket path '" + options.path + "': empty or too long");
  }
  DAXD_TRY(prepare_parent(options.path));
  DAXD_TRY(remove_stale_socket(ioc, options.path));
  auto loop =
      std::make_shared<AcceptLoop<local>>(ioc, std::move(shared), options.path, options.admin_gid);
  auto& acceptor = loop->acceptor();
  error_code ec;
  if (acceptor.open(local(), ec); ec) return from_ec(ec, options.path + ": cannot open socket");
  if (acceptor.bind(local::endpoint(options.path), ec); ec) {
    return from_ec(ec, options.path + ": cannot bind");
  }
  // Mode and group are set before listen(): nobody can connect while the file is too open.
  auto owned = set_owner_and_mode(options);
  if (!owned) {
    ::unlink(options.path.c_str());
    return std::move(owned).error();
  }
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) {
    ::unlink(options.path.c_str());
    return from_ec(ec, options.path + ": cannot listen");
  }
  return std::shared_ptr<Listener>(std::move(loop));
}

Result<std::shared_ptr<Listener>> listen_tcp(net::io_context& ioc, std::string const& host_port,
                                             std::shared_ptr<net::ssl::context> tls,
                                             std::shared_ptr<SessionShared> shared) {
  DAXD_ASSIGN_OR_RETURN(auto endpoint, parse_host_port(host_port));
  if (!tls) return Fail(Errc::invalid_argument, "tcp " + host_port + ": needs a tls context");
  auto loop =
      std::make_shared<AcceptLoop<tcp>>(ioc, std::move(shared), "", std::nullopt, std::move(tls));
  auto& acceptor = loop->acceptor();
  error_code ec;
  if (acceptor.open(endpoint.protocol(), ec); ec) return from_ec(ec, host_port + ": cannot open");
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) {
    return from_ec(ec, host_port + ": cannot set SO_REUSEADDR");
  }
  if (acceptor.bind(endpoint, ec); ec) return from_ec(ec, host_port + ": cannot bind");
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) {
    return from_ec(ec, host_port + ": cannot listen");
  }
  return std::shared_ptr<Listener>(std::move(loop));
}

}  // namespace daxd::api
