// SPDX-License-Identifier: Apache-2.0
// The API baseline: a minimal Beast HTTP/1.1 server that answers fixed routes with bytes captured
// from daxd (same status, Server and Content-Type headers, same body), over TCP and a unix socket.
//
// Usage: baseline_server [--tcp HOST:PORT] [--unix PATH] [--threads N]
//                        --route PATH=BODY_FILE[:CONTENT_TYPE] ...
// Announces READY=1 through sd_notify once listening, like daxd.
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using local = net::local::stream_protocol;

struct Route {
  std::string body;
  std::string content_type;
};
using Routes = std::map<std::string, Route, std::less<>>;

http::response<http::string_body> answer(Routes const& routes,
                                         http::request<http::string_body> const& req) {
  http::response<http::string_body> res;
  res.version(req.version());
  res.set(http::field::server, "daxd");
  auto const it = routes.find(req.target());
  if (req.method() != http::verb::get || it == routes.end()) {
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

template <class Protocol>
class Session : public std::enable_shared_from_this<Session<Protocol>> {
 public:
  Session(typename Protocol::socket&& s, Routes const& routes)
      : stream_(std::move(s)), routes_(routes) {}

  void read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_,
                     beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

 private:
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return close();
    res_ = answer(routes_, req_);
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&Session::on_write, this->shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec || !res_.keep_alive()) return close();
    read();
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(Protocol::socket::shutdown_send, ignored);
  }

  beast::basic_stream<Protocol, net::any_io_executor, beast::unlimited_rate_policy> stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  Routes const& routes_;
};

template <class Protocol>
class Acceptor : public std::enable_shared_from_this<Acceptor<Protocol>> {
 public:
  Acceptor(net::io_context& ioc, typename Protocol::endpoint ep, Routes const& routes)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), routes_(routes) {
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
      std::make_shared<Session<Protocol>>(std::move(socket), self->routes_)->read();
      self->accept();
    });
  }

 private:
  net::io_context& ioc_;
  typename Protocol::acceptor acceptor_;
  Routes const& routes_;
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
          Routes const& routes) {
  net::io_context ioc(threads);
  if (!tcp_at.empty()) std::make_shared<Acceptor<tcp>>(ioc, parse_tcp(tcp_at), routes)->accept();
  if (!unix_at.empty()) {
    ::unlink(unix_at.c_str());
    std::make_shared<Acceptor<local>>(ioc, local::endpoint(unix_at), routes)->accept();
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
  std::string tcp_at, unix_at;
  int threads = 2;
  Routes routes;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string const k = argv[i];
    std::string const v = argv[i + 1];
    if (k == "--tcp")
      tcp_at = v;
    else if (k == "--unix")
      unix_at = v;
    else if (k == "--threads")
      threads = std::max(1, std::atoi(v.c_str()));
    else if (k == "--route" && add_route(routes, v))
      continue;
    else {
      std::fprintf(stderr, "baseline_server: bad argument %s %s\n", k.c_str(), v.c_str());
      return 2;
    }
  }
  try {
    return serve(tcp_at, unix_at, threads, routes);
  } catch (std::exception const& e) {  // bind/listen failures: Asio throws
    std::fprintf(stderr, "baseline_server: %s\n", e.what());
    return 1;
  }
}
