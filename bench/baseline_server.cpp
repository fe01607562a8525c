// SPDX-License-Identifier: Apache-2.0
// The API baseline: a minimal Beast HTTP/1.1 server that answers fixed routes with bytes captured
// from daxd (same status, Server and Content-Type headers, same body), over TCP with TLS and a
// bearer token (like daxd's TCP listener) and over a unix socket (plain, no token).
//
// Usage: baseline_server [--tcp HOST:PORT --tls-cert PEM --tls-key PEM --token-file F]
//                        [--unix PATH] [--threads N] --route PATH=BODY_FILE[:CONTENT_TYPE] ...
// Announces READY=1 through sd_notify once listening, like daxd.
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using local = net::local::stream_protocol;
namespace ssl = net::ssl;
template <class Protocol>
using PlainStream = beast::basic_stream<Protocol, net::any_io_executor, beast::unlimited_rate_policy>;
using TlsStream = beast::ssl_stream<PlainStream<tcp>>;

struct Route {
  std::string body;
  std::string content_type;
};
using Routes = std::map<std::string, Route, std::less<>>;

/// What every connection shares: the routes and, for TCP, the TLS context and the token.
struct Shared {
  Routes routes;
  std::unique_ptr<ssl::context> tls;
  std::string bearer;  // "Bearer <token>"; checked on TCP only, like daxd
};

bool authorized(std::string_view header, std::string_view bearer) {
  if (header.size() != bearer.size()) return false;
  unsigned char diff = 0;  // constant time, as daxd compares
  for (std::size_t i = 0; i < header.size(); ++i) {
    diff = static_cast<unsigned char>(diff | (header[i] ^ bearer[i]));
  }
  return diff == 0;
}

http::response<http::string_body> answer(Shared const& shared, bool check_token,
                                         http::request<http::string_body> const& req) {
  http::response<http::string_body> res;
  res.version(req.version());
  res.set(http::field::server, "daxd");
  auto const it = shared.routes.find(req.target());
  if (check_token && !authorized(req[http::field::authorization], shared.bearer)) {
    res.result(http::status::unauthorized);
    res.set(http::field::content_type, "application/problem+json");
    res.body() = R"({"status":401})";
  } else if (req.method() != http::verb::get || it == shared.routes.end()) {
    res.result(http::status::not_found);
    res.set(http::field::content_type, "application/problem+json");
    res.body() = R"({"status":404})";
  } else {
    res.result(http::status::ok);
    res.set(http::field::content_type, it->second.content_type);
    res.body() = it->second.body;
  }
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  template <class Socket>
  Session(Socket&& s, Shared const& shared) : stream_(make(std::move(s), shared)), shared_(shared) {}

  void start() {
    if constexpr (kTls) {
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](
                                                            beast::error_code ec) {
        if (!ec) self->read();
      });
    } else {
      read();
    }
  }

 private:
  template <class Socket>
  static Stream make(Socket&& s, Shared const& shared) {
    if constexpr (kTls) {
      return Stream(std::move(s), *shared.tls);
    } else {
      return Stream(std::move(s));
    }
  }

  void read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_,
                     beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return close();
    res_ = answer(shared_, kTls, req_);
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&Session::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec || !res_.keep_alive()) return close();
    read();
  }

  void close() {
    beast::error_code ignored;
    auto& socket = beast::get_lowest_layer(stream_).socket();
    socket.shutdown(net::socket_base::shutdown_send, ignored);
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  Shared const& shared_;
};

template <class Protocol>
class Acceptor : public std::enable_shared_from_this<Acceptor<Protocol>> {
 public:
  Acceptor(net::io_context& ioc, typename Protocol::endpoint ep, Shared const& shared)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), shared_(shared) {
    acceptor_.open(ep.protocol());
    if constexpr (std::is_same_v<Protocol, tcp>) {
      acceptor_.set_option(net::socket_base::reuse_address(true));
    }
    acceptor_.bind(ep);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }

  void accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = this->shared_from_this()](
                                                       beast::error_code ec, auto socket) {
      if (ec) return;
      if constexpr (std::is_same_v<Protocol, tcp>) {
        std::make_shared<Session<TlsStream>>(std::move(socket), self->shared_)->start();
      } else {
        std::make_shared<Session<PlainStream<local>>>(std::move(socket), self->shared_)->start();
      }
      self->accept();
    });
  }

 private:
  net::io_context& ioc_;
  typename Protocol::acceptor acceptor_;
  Shared const& shared_;
};

bool add_route(Routes& routes, std::string const& spec) {
  auto const eq = spec.find('=');
  if (eq == std::string::npos) return false;
  std::string file = spec.substr(eq + 1);
  std::string type = "application/json";
  if (auto const colon = file.find(':'); colon != std::string::npos) {
    type = file.substr(colon + 1);
    file.resize(colon);
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  routes[spec.substr(0, eq)] = Route{ss.str(), type};
  return true;
}

tcp::endpoint parse_tcp(std::string const& host_port) {
  auto const colon = host_port.rfind(':');
  return {net::ip::make_address(host_port.substr(0, colon)),
          static_cast<unsigned short>(std::stoi(host_port.substr(colon + 1)))};
}

int serve(std::string const& tcp_at, std::string const& unix_at, int threads,
          Shared const& shared) {
  net::io_context ioc(threads);
  if (!tcp_at.empty()) std::make_shared<Acceptor<tcp>>(ioc, parse_tcp(tcp_at), shared)->accept();
  if (!unix_at.empty()) {
    ::unlink(unix_at.c_str());
    std::make_shared<Acceptor<local>>(ioc, local::endpoint(unix_at), shared)->accept();
  }
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { ioc.stop(); });
  sd_notify(0, "READY=1");
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  if (!unix_at.empty()) ::unlink(unix_at.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string tcp_at, unix_at, cert, key, token_file;
  int threads = 2;
  Shared shared;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string const k = argv[i];
    std::string const v = argv[i + 1];
    if (k == "--tcp")
      tcp_at = v;
    else if (k == "--unix")
      unix_at = v;
    else if (k == "--threads")
      threads = std::max(1, std::atoi(v.c_str()));
    else if (k == "--tls-cert")
      cert = v;
    else if (k == "--tls-key")
      key = v;
    else if (k == "--token-file")
      token_file = v;
    else if (k == "--route" && add_route(shared.routes, v))
      continue;
    else {
      std::fprintf(stderr, "baseline_server: bad argument %s %s\n", k.c_str(), v.c_str());
      return 2;
    }
  }
  if (!tcp_at.empty() && (cert.empty() || key.empty() || token_file.empty())) {
    std::fprintf(stderr, "baseline_server: --tcp needs --tls-cert, --tls-key and --token-file\n");
    return 2;
  }
  try {
    if (!tcp_at.empty()) {
      shared.tls = std::make_unique<ssl::context>(ssl::context::tls_server);
      shared.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                              ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                              ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
      shared.tls->use_certificate_chain_file(cert);
      shared.tls->use_private_key_file(key, ssl::context::pem);
      std::string token;
      std::getline(std::ifstream(token_file), token);
      shared.bearer = "Bearer " + token;
    }
    return serve(tcp_at, unix_at, threads, shared);
  } catch (std::exception const& e) {  // bind/listen failures: Asio throws
    std::fprintf(stderr, "baseline_server: %s\n", e.what());
    return 1;
  }
}
