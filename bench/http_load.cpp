// SPDX-License-Identifier: Apache-2.0
// A small closed-loop HTTP/1.1 load generator over a unix socket or TCP with TLS (wrk has no
// unix sockets): C keep-alive connections on one Asio thread each send GET PATH, wait for the
// full answer, and repeat for D seconds; prints requests/s and latency percentiles.
//
// Usage: http_load (--unix PATH | --tcp HOST:PORT) --path /healthz [-c 8] [-d 5]
//        http_load (--unix PATH | --tcp HOST:PORT) --path P --reconnect [-d 5]
//        http_load (--unix PATH | --tcp HOST:PORT) --path P --once [--save PREFIX]
//   --tcp speaks TLS (the certificate is not verified: a benchmark on loopback);
//   --token-file F sends `Authorization: Bearer <first line of F>` with every request.
//   --reconnect: one client, a new connection per request (connect [+ TLS handshake], GET with
//   Connection: close, read the whole answer, close), repeated for D seconds; the latency is that
//   whole cycle: what an API client pays that does not keep its connection, without a process
//   start. Prints the same line as the keep-alive load.
//   --once prints the body of one GET on stdout (exit 0 on 200); --save also writes
//   PREFIX.body and PREFIX.type (the Content-Type) for the baseline server.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using local = net::local::stream_protocol;
namespace ssl = net::ssl;
using TlsStream = ssl::stream<tcp::socket>;
using Clock = std::chrono::steady_clock;

struct Stats {
  std::vector<double> latency_us;
  long errors = 0;
};

template <class Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  Connection(std::unique_ptr<Stream> s, http::request<http::empty_body> const& req,
             Clock::time_point deadline, Stats& stats)
      : stream_(std::move(s)), req_(req), deadline_(deadline), stats_(stats) {}

  void send() {
    if (Clock::now() >= deadline_) return;
    sent_at_ = Clock::now();
    http::async_write(*stream_, req_, [self = this->shared_from_this()](beast::error_code ec, auto) {
      if (ec) return self->fail();
      self->res_ = {};
      http::async_read(*self->stream_, self->buffer_, self->res_,
                       [self](beast::error_code rec, auto) { self->on_read(rec); });
    });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec) return fail();
    auto const us = std::chrono::duration<double, std::micro>(Clock::now() - sent_at_).count();
    if (res_.result_int() != 200) ++stats_.errors;
    stats_.latency_us.push_back(us);
    send();
  }
  void fail() { ++stats_.errors; }

  std::unique_ptr<Stream> stream_;
  http::request<http::empty_body> const& req_;
  Clock::time_point deadline_;
  Stats& stats_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> res_;
  Clock::time_point sent_at_;
};

struct Target {
  std::string unix_path;
  std::string tcp_host;
  std::string tcp_port;
  std::string token;  // empty: no Authorization header
};

/// A connected stream (TLS: after the handshake), or null after printing why not.
template <class Stream>
std::unique_ptr<Stream> connect(net::io_context& ioc, ssl::context& tls, Target const& t) {
  beast::error_code ec;
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    auto s = std::make_unique<TlsStream>(ioc, tls);
    tcp::resolver resolver(ioc);
    auto const eps = resolver.resolve(t.tcp_host, t.tcp_port, ec);
    if (!ec) net::connect(s->next_layer(), eps, ec);
    if (!ec) s->next_layer().set_option(tcp::no_delay(true), ec);
    if (!ec) s->handshake(ssl::stream_base::client, ec);
    if (!ec) return s;
  } else {
    auto s = std::make_unique<local::socket>(ioc);
    s->connect(local::endpoint(t.unix_path), ec);
    if (!ec) return s;
  }
  std::fprintf(stderr, "http_load: connect: %s\n", ec.message().c_str());
  return nullptr;
}

http::request<http::empty_body> make_request(Target const& t, std::string const& path) {
  http::request<http::empty_body> req{http::verb::get, path, 11};
  req.set(http::field::host, "localhost");
  if (!t.token.empty()) req.set(http::field::authorization, "Bearer " + t.token);
  return req;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto const idx = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[idx];
}

/// Prints requests, rate and latency percentiles; 0 when there were requests and no errors.
int report(Stats& stats, Clock::time_point start) {
  double const took = std::chrono::duration<double>(Clock::now() - start).count();
  auto& lat = stats.latency_us;
  double const n = static_cast<double>(lat.size());
  double const p50 = percentile(lat, 0.50), p99 = percentile(lat, 0.99);
  std::printf("requests=%zu errors=%ld rps=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f\n", lat.size(),
              stats.errors, n / took, p50, p99, lat.empty() ? 0.0 : lat.back());
  return stats.errors == 0 && !lat.empty() ? 0 : 1;
}

template <class Stream>
int load(Target const& t, ssl::context& tls, std::string const& path, int conns,
         double seconds) {
  net::io_context ioc(1);
  auto const req = make_request(t, path);
  Stats stats;
  auto const start = Clock::now();
  auto const deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::shared_ptr<Connection<Stream>>> all;
  for (int i = 0; i < conns; ++i) {
    auto s = connect<Stream>(ioc, tls, t);
    if (!s) return 1;
    all.push_back(std::make_shared<Connection<Stream>>(std::move(s), req, deadline, stats));
  }
  for (auto& c : all) c->send();
  ioc.run();
  return report(stats, start);
}

/// A new connection per request, one at a time, until `seconds` have passed.
template <class Stream>
int reconnect(Target const& t, ssl::context& tls, std::string const& path, double seconds) {
  net::io_context ioc(1);
  auto req = make_request(t, path);
  req.keep_alive(false);
  Stats stats;
  auto const start = Clock::now();
  auto const deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < deadline) {
    auto const sent_at = Clock::now();
    auto s = connect<Stream>(ioc, tls, t);
    if (!s) return 1;
    beast::error_code ec;
    http::write(*s, req, ec);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    if (!ec) http::read(*s, buffer, res, ec);
    beast::error_code ignored;
    beast::get_lowest_layer(*s).close(ignored);
    if (ec || res.result_int() != 200) {
      ++stats.errors;
      if (ec) std::fprintf(stderr, "http_load: %s\n", ec.message().c_str());
      continue;
    }
    stats.latency_us.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - sent_at).count());
  }
  return report(stats, start);
}

template <class Stream>
int once(Target const& t, ssl::context& tls, std::string const& path, std::string const& save) {
  net::io_context ioc(1);
  auto s = connect<Stream>(ioc, tls, t);
  if (!s) return 2;
  auto req = make_request(t, path);
  req.keep_alive(false);
  beast::error_code ec;
  http::write(*s, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!ec) http::read(*s, buffer, res, ec);
  if (ec) return std::fprintf(stderr, "http_load: %s\n", ec.message().c_str()), 2;
  std::fwrite(res.body().data(), 1, res.body().size(), stdout);
  if (!save.empty()) {
    std::ofstream(save + ".body", std::ios::binary) << res.body();
    std::ofstream(save + ".type") << res[http::field::content_type];
  }
  return res.result_int() == 200 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Target t;
  std::string path = "/healthz", save;
  int conns = 8;
  double seconds = 5;
  bool one = false, fresh = false;
  for (int i = 1; i < argc; ++i) {
    std::string const k = argv[i];
    std::string const v = i + 1 < argc ? argv[i + 1] : "";
    if (k == "--once" || k == "--reconnect") {
      (k == "--once" ? one : fresh) = true;
      continue;
    }
    ++i;
    if (k == "--unix")
      t.unix_path = v;
    else if (k == "--tcp") {
      t.tcp_host = v.substr(0, v.rfind(':'));
      t.tcp_port = v.substr(v.rfind(':') + 1);
    } else if (k == "--path")
      path = v;
    else if (k == "--save")
      save = v;
    else if (k == "--token-file")
      std::getline(std::ifstream(v), t.token);
    else if (k == "-c")
      conns = std::max(1, std::atoi(v.c_str()));
    else if (k == "-d")
      seconds = std::atof(v.c_str());
    else
      return std::fprintf(stderr, "http_load: unknown argument %s\n", k.c_str()), 2;
  }
  bool const over_unix = !t.unix_path.empty();
  if (!over_unix && t.tcp_port.empty()) {
    std::fprintf(stderr,
                 "usage: http_load (--unix PATH | --tcp HOST:PORT) --path P [-c N] [-d S] "
                 "[--reconnect | --once]\n");
    return 2;
  }
  ssl::context tls(ssl::context::tls_client);
  tls.set_verify_mode(ssl::verify_none);
  if (one) {
    return over_unix ? once<local::socket>(t, tls, path, save)
                     : once<TlsStream>(t, tls, path, save);
  }
  if (fresh) {
    return over_unix ? reconnect<local::socket>(t, tls, path, seconds)
                     : reconnect<TlsStream>(t, tls, path, seconds);
  }
  return over_unix ? load<local::socket>(t, tls, path, conns, seconds)
                   : load<TlsStream>(t, tls, path, conns, seconds);
}
