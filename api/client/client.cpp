// SPDX-License-Identifier: Apache-2.0
// The client runs Beast's asynchronous operations to completion one at a time on a private
// io_context: that keeps the code sequential while basic_stream enforces the timeout.
#include "api/client/client.h"

#include <array>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace daxd::api_client {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Stream = beast::basic_stream<net::local::stream_protocol>;
using boost::system::error_code;

constexpr std::uint64_t kMaxResponseBody = 64ull << 20;

// Runs the operation started by `start` until it completes; returns its error code.
template <typename Start>
error_code run_one(net::io_context& ioc, Start&& start) {
  error_code result;
  start(result);
  ioc.restart();
  ioc.run();
  return result;
}

Error transfer_error(error_code ec, std::string const& what, std::string const& path,
                     std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout) {
    return Error{Errc::timeout, "daxd at " + path + " did not answer within " +
                                    std::to_string(timeout.count()) + " ms"};
  }
  return Error{Errc::io_error, what + " daxd at " + path + ": " + ec.message()};
}

Result<http::request<http::string_body>> build_request(std::string_view method,
                                                       std::string_view target,
                                                       std::string_view body,
                                                       std::string_view content_type) {
  http::verb const verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) {
    return Fail(Errc::invalid_argument, "unknown http method '" + std::string(method) + "'");
  }
  http::request<http::string_body> req{verb, std::string(target), 11};
  req.set(http::field::host, "localhost");
  req.set(http::field::user_agent, "daxadm");
  req.set(http::field::accept, "application/json, application/problem+json");
  req.keep_alive(false);
  if (!body.empty()) {
    req.set(http::field::content_type, content_type);
    req.body() = std::string(body);
  }
  req.prepare_payload();
  return req;
}

// Connects `stream` to the socket within `timeout`.
Result<void> connect(net::io_context& ioc, Stream& stream, std::string const& path,
                     std::chrono::milliseconds timeout) {
  stream.expires_after(timeout);
  auto const ec = run_one(ioc, [&](error_code& out) {
    stream.async_connect(net::local::stream_protocol::endpoint(path),
                         [&out](error_code e) { out = e; });
  });
  if (ec == beast::error::timeout) {
    return Fail(Errc::timeout, "cannot connect to daxd at " + path + ": timed out");
  }
  if (ec) {
    return Fail(Errc::unavailable,
                "cannot connect to daxd at " + path + ": " + ec.message() + " (is daxd running?)");
  }
  return Ok();
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The end of an event stream: a complete message, or the server closing the connection.
bool stream_ended(error_code ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == net::error::eof;
}

// Reads the body behind an already read head: events go to `on_event` (without a timeout,
// until the callback or the server stops), anything else is collected into `body`.
template <typename Parser>
Result<void> read_body_chunks(net::io_context& ioc, Stream& stream, beast::flat_buffer& buffer,
                              Parser& parser, bool events, SseCallback const& on_event,
                              std::string& body, std::string const& path,
                              std::chrono::milliseconds timeout) {
  SseParser sse;
  std::array<char, 8192> chunk{};
  if (events) stream.expires_never();
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    if (!events) stream.expires_after(timeout);
    auto ec = run_one(ioc, [&](error_code& out) {
      http::async_read_some(stream, buffer, parser, [&out](error_code e, std::size_t) { out = e; });
    });
    if (ec == http::error::need_buffer) ec = {};
    std::size_t const n = chunk.size() - parser.get().body().size;
    std::string_view const got(chunk.data(), n);
    if (events && !sse.feed(got, on_event)) return Ok();
    if (!events) body.append(got);
    if (!events && body.size() > kMaxResponseBody) {
      return Fail(Errc::io_error, "reading from daxd at " + path + ": answer too large");
    }
    if (ec && events && stream_ended(ec)) return Ok();
    if (ec) return transfer_error(ec, "reading from", path, timeout);
  }
  return Ok();
}

}  // namespace

Client::Client(std::string socket_path, std::chrono::milliseconds timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout) {}

Result<HttpResponse> Client::request(std::string_view method, std::string_view target,
                                     std::string_view body, std::string_view content_type,
                                     std::optional<std::chrono::milliseconds> timeout) {
  DAXD_ASSIGN_OR_RETURN(auto req, build_request(method, target, body, content_type));
  std::chrono::milliseconds const limit = timeout.value_or(timeout_);
  net::io_context ioc;
  Stream stream(ioc);
  DAXD_TRY(connect(ioc, stream, socket_path_, limit));

  stream.expires_after(limit);
  auto ec = run_one(ioc, [&](error_code& out) {
    http::async_write(stream, req, [&out](error_code e, std::size_t) { out = e; });
  });
  // A server that refuses early (413) may close before reading everything: read its answer.
  bool const write_failed = static_cast<bool>(ec);
  error_code const write_ec = ec;

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  stream.expires_after(limit);
  ec = run_one(ioc, [&](error_code& out) {
    http::async_read(stream, buffer, parser, [&out](error_code e, std::size_t) { out = e; });
  });
  if (ec) {
    if (write_failed) return transfer_error(write_ec, "sending to", socket_path_, limit);
    return transfer_error(ec, "reading from", socket_path_, limit);
  }

  error_code ignored;
  stream.socket().shutdown(net::local::stream_protocol::socket::shutdown_both, ignored);

  auto& res = parser.get();
  HttpResponse out;
  out.status = res.result_int();
  out.content_type = std::string(res[http::field::content_type]);
  out.body = std::move(res.body());
  return out;
}

Result<HttpResponse> Client::stream(std::string_view target, Headers const& headers,
                                    SseCallback const& on_event) {
  DAXD_ASSIGN_OR_RETURN(auto req, build_request("GET", target, {}, {}));
  req.set(http::field::accept, "text/event-stream, application/problem+json");
  for (auto const& [name, value] : headers) req.set(name, value);
  net::io_context ioc;
  Stream stream(ioc);
  DAXD_TRY(connect(ioc, stream, socket_path_, timeout_));

  stream.expires_after(timeout_);
  auto ec = run_one(ioc, [&](error_code& out) {
    http::async_write(stream, req, [&out](error_code e, std::size_t) { out = e; });
  });
  if (ec) return transfer_error(ec, "sending to", socket_path_, timeout_);

  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  stream.expires_after(timeout_);
  ec = run_one(ioc, [&](error_code& out) {
    http::async_read_header(stream, buffer, parser, [&out](error_code e, std::size_t) { out = e; });
  });
  if (ec) return transfer_error(ec, "reading from", socket_path_, timeout_);

  HttpResponse out;
  out.status = parser.get().result_int();
  out.content_type = std::string(parser.get()[http::field::content_type]);
  bool const events = out.status < 300 && starts_with(out.content_type, "text/event-stream");
  DAXD_TRY(read_body_chunks(ioc, stream, buffer, parser, events, on_event, out.body, socket_path_,
                            timeout_));

  error_code ignored;
  stream.socket().shutdown(net::local::stream_protocol::socket::shutdown_both, ignored);
  return out;
}

}  // namespace daxd::api_client
