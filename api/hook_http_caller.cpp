// SPDX-License-Identifier: Apache-2.0
// Beast's asynchronous operations run one at a time on a private io_context (as the daxadm
// client does), so the code stays sequential while basic_stream enforces one deadline for
// connect, write and read together.
#include "api/hook_http_caller.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace daxd::api {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using orchestrator::HookUrl;
using orchestrator::HttpAnswer;

constexpr std::uint64_t kMaxAnswer = 64 << 10;
constexpr std::size_t kExcerpt = 500;

template <typename Start>
error_code run_one(net::io_context& ioc, Start&& start) {
  error_code result;
  start(result);
  ioc.restart();
  ioc.run();
  return result;
}

std::string where(HookUrl const& url) {
  if (!url.socket_path.empty()) return "unix:" + url.socket_path;
  std::string const host = url.host.find(':') == std::string::npos ? url.host : "[" + url.host + "]";
  return host + ":" + std::to_string(url.port);
}

Error failure(error_code ec, std::string const& what, HookUrl const& url) {
  if (ec == beast::error::timeout) return Error{Errc::timeout, where(url) + ": timed out"};
  return Error{Errc::io_error, what + " " + where(url) + ": " + ec.message()};
}

http::request<http::string_body> build(HookUrl const& url, std::string const& body) {
  http::request<http::string_body> req{http::verb::post, url.target, 11};
  req.set(http::field::host, url.socket_path.empty() ? where(url) : "localhost");
  req.set(http::field::user_agent, "daxd-hook");
  req.set(http::field::content_type, "application/json");
  req.keep_alive(false);
  req.body() = body;
  req.prepare_payload();
  return req;
}

template <typename Protocol>
Result<HttpAnswer> exchange(typename Protocol::endpoint const& endpoint, HookUrl const& url,
                            std::string const& body, std::chrono::milliseconds timeout) {
  net::io_context ioc;
  beast::basic_stream<Protocol> stream(ioc);
  stream.expires_after(timeout);  // one deadline for the whole call
  auto ec = run_one(ioc, [&](error_code& out) {
    stream.async_connect(endpoint, [&out](error_code e) { out = e; });
  });
  if (ec == beast::error::timeout) return Fail(failure(ec, "connecting to", url));
  if (ec) return Fail(Errc::unavailable, "cannot connect to " + where(url) + ": " + ec.message());
  auto const req = build(url, body);
  ec = run_one(ioc, [&](error_code& out) {
    http::async_write(stream, req, [&out](error_code e, std::size_t) { out = e; });
  });
  if (ec) return Fail(failure(ec, "writing to", url));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxAnswer);
  ec = run_one(ioc, [&](error_code& out) {
    http::async_read(stream, buffer, parser, [&out](error_code e, std::size_t) { out = e; });
  });
  if (ec) return Fail(failure(ec, "reading from", url));
  auto const& res = parser.get();
  std::string excerpt = res.body().substr(0, kExcerpt);
  while (!excerpt.empty() && (excerpt.back() == '\n' || excerpt.back() == '\r')) excerpt.pop_back();
  return HttpAnswer{res.result_int(), std::move(excerpt)};
}

}  // namespace

Result<HttpAnswer> call_http_hook(HookUrl const& url, std::string const& body,
                                  std::chrono::milliseconds timeout) {
  if (!url.socket_path.empty()) {
    return exchange<net::local::stream_protocol>(
        net::local::stream_protocol::endpoint(url.socket_path), url, body, timeout);
  }
  error_code ec;
  auto const address = net::ip::make_address(url.host, ec);
  if (ec) return Fail(Errc::invalid_argument, "hook address '" + url.host + "': " + ec.message());
  // Checked again here: the caller must never reach beyond this machine.
  if (!address.is_loopback()) {
    return Fail(Errc::invalid_argument, "hook address '" + url.host + "' is not a loopback address");
  }
  return exchange<net::ip::tcp>(net::ip::tcp::endpoint(address, url.port), url, body, timeout);
}

orchestrator::HttpHookCaller http_hook_caller() { return &call_http_hook; }

}  // namespace daxd::api
