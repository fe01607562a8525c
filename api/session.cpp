// SPDX-License-Identifier: Apache-2.0
// The per-connection state machine over Beast: read with limits and an idle deadline, answer
// through the pure handler (on a blocking thread when it may wait), keep alive or close, drain
// the rest of a refused body; hand the socket to an EventSession for an event stream.
#include "api/session.h"

#include <array>
#include <optional>
#include <sstream>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "api/event_session.h"
#include "api/problem.h"
#include "api/request_handler.h"

namespace daxd::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using beast::error_code;

namespace {

constexpr std::size_t kDrainLimit = 64U << 20;  // read and drop at most this much of a refused body
constexpr std::chrono::seconds kDrainTimeout{5};
constexpr std::size_t kFirstRead = 4096;  // the read that ends a connection's idle wait

bool is_http_parse_error(error_code const& ec) {
  return &ec.category() == &http::make_error_code(http::error::bad_method).category();
}

/// Converts a parsed Beast request into the transport-free Request.
Request to_request(http::request<http::string_body>&& msg) {
  Request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.content_type = std::string(msg[http::field::content_type]);
  req.version = msg.version();
  req.body = std::move(msg.body());
  req.last_event_id = std::string(msg["Last-Event-ID"]);
  req.authorization = std::string(msg[http::field::authorization]);
  req.if_none_match = std::string(msg[http::field::if_none_match]);
  return req;
}

http::response<http::string_body> to_beast(Response&& res, unsigned version, bool keep_alive) {
  http::response<http::string_body> msg;
  msg.version(version);
  msg.result(res.status);
  msg.set(http::field::server, "daxd");
  msg.set(http::field::content_type, res.content_type);
  for (auto const& [name, value] : res.headers) msg.set(name, value);
  msg.body() = std::move(res.body);
  msg.keep_alive(keep_alive);
  // A 304 has no body, and a Content-Length: 0 would claim the 200's body is empty.
  if (res.status != 304) msg.prepare_payload();
  return msg;
}

/// The whole answer a connection over the limit gets, before its request is read.
std::string connection_limit_answer(std::size_t max_connections) {
  Response res = protocol_problem(503, "too_many_connections", "Too many connections",
                                  "daxd serves at most " + std::to_string(max_connections) +
                                      " connections at once; try again later");
  res.headers.emplace_back("Retry-After", "1");
  std::ostringstream out;
  out << to_beast(std::move(res), 11, /*keep_alive=*/false);
  return out.str();
}

template <class Protocol>
using PlainStream = beast::basic_stream<Protocol, net::any_io_executor, beast::unlimited_rate_policy>;
using TlsStream = beast::ssl_stream<PlainStream<net::ip::tcp>>;

/// A connection over a plain stream (the unix socket) or TLS (TCP): the TLS handshake comes
/// first, under the idle deadline; everything else is the same.
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  template <class... StreamArgs>
  Session(Peer peer, std::shared_ptr<SessionShared> shared, StreamArgs&&... stream_args)
      : stream_(std::forward<StreamArgs>(stream_args)...),
        peer_(std::move(peer)),
        shared_(std::move(shared)) {}
  ~Session() override { shared_->registry.remove(this); }

  void start() {
    if (!shared_->registry.try_add(this->shared_from_this(), shared_->limits.max_connections)) {
      return refuse_connection();
    }
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::begin, this->shared_from_this()));
  }

  void shutdown() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stopping_ = true;
      if (self->reading_) self->close();
    });
  }

 private:
  auto& lowest() { return beast::get_lowest_layer(stream_); }

  // Over the connection limit. A unix peer gets a 503 it can read (a fresh socket's send
  // buffer takes it whole, so a non-blocking write does); a TCP peer is not worth a handshake.
  void refuse_connection() {
    error_code ignored;
    if constexpr (!kTls) {
      std::string const answer = connection_limit_answer(shared_->limits.max_connections);
      lowest().socket().non_blocking(true, ignored);
      lowest().socket().write_some(net::buffer(answer), ignored);
    }
    close();
  }

  void begin() {
    if constexpr (kTls) {
      // The handshake is part of the first request's header: the same deadline bounds it.
      lowest().expires_after(shared_->limits.header_timeout);
      stream_.async_handshake(
          net::ssl::stream_base::server,
          beast::bind_front_handler(&Session::on_handshake, this->shared_from_this()));
    } else {
      do_read();
    }
  }

  void on_handshake(error_code ec) {
    if (ec) return close();  // not TLS, or no common cipher: nothing we can answer
    do_read();
  }

  // Three deadlines, each for the whole of its phase (not per read): the idle wait for a
  // request's first byte, the header from there, the body from the end of the header. A client
  // that trickles bytes (slowloris) is cut off when its phase's deadline passes.
  void do_read() {
    if (stopping_) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_->limits.max_header_bytes));
    parser_->body_limit(shared_->limits.max_body_bytes);
    reading_ = true;
    if (buffer_.size() > 0) return read_header();  // pipelined: the next request is here
    lowest().expires_after(shared_->limits.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kFirstRead),
        beast::bind_front_handler(&Session::on_first_bytes, this->shared_from_this()));
  }

  void on_first_bytes(error_code ec, std::size_t bytes) {
    buffer_.commit(bytes);
    if (ec) {
      reading_ = false;
      return close();  // idle timeout, the peer went away, or shutdown(): nothing to answer
    }
    read_header();
  }

  void read_header() {
    lowest().expires_after(shared_->limits.header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Session::on_header, this->shared_from_this()));
  }

  void on_header(error_code ec, std::size_t bytes) {
    if (ec || parser_->is_done()) return on_read(ec, bytes);
    lowest().expires_after(shared_->limits.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
  }

  void on_read(error_code ec, std::size_t /*bytes*/) {
    reading_ = false;
    if (ec == http::error::end_of_stream) return close();
    if (ec == http::error::header_limit) {
      return refuse(protocol_problem(
          431, "request_header_fields_too_large", "Request header fields too large",
          "request header exceeds " + std::to_string(shared_->limits.max_header_bytes) + " bytes"));
    }
    if (ec == http::error::body_limit) {
      return refuse(protocol_problem(
          413, "payload_too_large", "Payload too large",
          "request body exceeds " + std::to_string(shared_->limits.max_body_bytes) + " bytes"));
    }
    if (ec && is_http_parse_error(ec) && ec != http::error::partial_message) {
      return refuse(protocol_problem(400, "bad_request", "Bad request",
                                     "malformed http request: " + ec.message()));
    }
    if (ec) return close();  // timeout, reset, aborted by shutdown(): nothing to answer
    bool const keep_alive = parser_->get().keep_alive() && !stopping_;
    unsigned const version = parser_->get().version();
    Request request = to_request(parser_->release());
    if (shared_->blocking && may_block(request)) {
      // Mutations and ?wait= may take long: a blocking thread answers, so that the io threads
      // keep serving everyone else; the answer comes back to this connection's strand.
      net::post(shared_->blocking, [self = this->shared_from_this(), request = std::move(request),
                                    version, keep_alive]() mutable {
        Response response = handle_request(request, self->peer_, self->shared_->services);
        net::post(self->stream_.get_executor(),
                  [self, response = std::move(response), version, keep_alive]() mutable {
                    self->answer(std::move(response), version, keep_alive);
                  });
      });
      return;
    }
    answer(handle_request(request, peer_, shared_->services), version, keep_alive);
  }

  void answer(Response&& response, unsigned version, bool keep_alive) {
    if (response.stream) {
      // From here the connection is an event stream: a session of its own takes the socket.
      auto head = detail::event_stream_head(response, version);
      std::make_shared<detail::EventSession<Stream>>(std::move(stream_), shared_,
                                                     std::move(response.stream))
          ->start(std::move(head));
      return;
    }
    write(to_beast(std::move(response), version, keep_alive), /*drain=*/false);
  }

  /// Answers a request that could not be read in full, then closes: the rest of the stream
  /// cannot be parsed as a next request.
  void refuse(Response response) {
    Request request;
    unsigned version = 11;
    // The start line is parsed before any field: a header refused for its size or for a
    // Content-Length above the limit still names its method and target (and is audited).
    if (parser_) {
      auto const& head = parser_->get();
      request.method = std::string(head.method_string());
      request.target = std::string(head.target());
      if (parser_->is_header_done()) version = head.version();
    }
    account(request, peer_, response, shared_->services);
    write(to_beast(std::move(response), version, /*keep_alive=*/false), /*drain=*/true);
  }

  void write(http::response<http::string_body>&& msg, bool drain) {
    response_ = std::move(msg);
    lowest().expires_after(shared_->limits.idle_timeout);
    http::async_write(
        stream_, response_,
        beast::bind_front_handler(&Session::on_write, this->shared_from_this(), drain));
  }

  void on_write(bool drain, error_code ec, std::size_t /*bytes*/) {
    if (ec) return close();
    if (drain) return start_drain();
    if (!response_.keep_alive()) return close();
    do_read();
  }

  // A client that is still sending a refused body would see a reset instead of our answer
  // if we closed with unread data; so say we are done and swallow what still arrives.
  void start_drain() {
    error_code ignored;
    lowest().socket().shutdown(net::socket_base::shutdown_send, ignored);
    lowest().expires_after(kDrainTimeout);
    do_drain();
  }

  void do_drain() {
    stream_.async_read_some(
        net::buffer(drain_buffer_),
        beast::bind_front_handler(&Session::on_drain, this->shared_from_this()));
  }

  void on_drain(error_code ec, std::size_t bytes) {
    drained_ += bytes;
    if (ec || drained_ > kDrainLimit || stopping_) return close();
    do_drain();
  }

  // Under TLS this skips close_notify: the peer sees the connection end, which is all that
  // an idle timeout, a refusal or a stop needs.
  void close() {
    error_code ignored;
    lowest().socket().shutdown(net::socket_base::shutdown_both, ignored);
    lowest().close();
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  std::array<char, 16384> drain_buffer_{};
  std::size_t drained_ = 0;
  Peer peer_;
  std::shared_ptr<SessionShared> shared_;
  bool reading_ = false;
  bool stopping_ = false;
};


}  // namespace

void SessionRegistry::add(std::shared_ptr<SessionBase> const& session) {
  bool stopping = false;
  {
    std::lock_guard const lock(mutex_);
    sessions_[session.get()] = session;
    stopping = stopping_;
  }
  // Accepted while stop() ran: it must not linger.
  if (stopping) session->shutdown();
}

void SessionRegistry::remove(SessionBase const* session) {
  std::function<void()> notify;
  {
    std::lock_guard const lock(mutex_);
    sessions_.erase(session);
    if (stopping_ && sessions_.empty()) notify = std::exchange(on_empty_, nullptr);
  }
  if (notify) notify();
}

void SessionRegistry::shutdown_all(std::function<void()> on_empty) {
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard const lock(mutex_);
    stopping_ = true;
    for (auto const& [key, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    if (sessions_.empty()) {
      if (on_empty) on_empty();
      return;
    }
    on_empty_ = std::move(on_empty);
  }
  for (auto const& s : live) s->shutdown();
}

void SessionRegistry::detach() {
  std::lock_guard const lock(mutex_);
  on_empty_ = nullptr;
}

bool SessionRegistry::try_add(std::shared_ptr<SessionBase> const& session, std::size_t max) {
  bool stopping = false;
  {
    std::lock_guard const lock(mutex_);
    if (max != 0 && sessions_.size() >= max) return false;
    sessions_[session.get()] = session;
    stopping = stopping_;
  }
  if (stopping) session->shutdown();
  return true;
}

std::size_t SessionRegistry::size() const {
  std::lock_guard const lock(mutex_);
  return sessions_.size();
}

bool SessionRegistry::stopping() const {
  std::lock_guard const lock(mutex_);
  return stopping_;
}

void start_session(net::local::stream_protocol::socket socket, Peer peer,
                   std::shared_ptr<SessionShared> shared) {
  using Stream = PlainStream<net::local::stream_protocol>;
  std::make_shared<Session<Stream>>(std::move(peer), std::move(shared), std::move(socket))
      ->start();
}

void start_session(net::ip::tcp::socket socket, net::ssl::context& tls, Peer peer,
                   std::shared_ptr<SessionShared> shared) {
  std::make_shared<Session<TlsStream>>(std::move(peer), std::move(shared), std::move(socket), tls)
      ->start();
}

}  // namespace daxd::api
