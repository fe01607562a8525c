// SPDX-License-Identifier: Apache-2.0
// The streaming side of a connection that asked for GET /v1/events: the response head, the
// replay, then live events as they arrive and a keep-alive comment when idle. Internal to
// session.cpp (a template over the stream it takes over).
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>

#include "api/event_stream.h"
#include "api/session.h"

namespace daxd::api::detail {

/// Nothing here blocks a thread: waiting for events is a callback from the hub that posts to
/// this connection's strand; waiting for the client to go away is an async read.
template <class Stream>
class EventSession final : public SessionBase,
                           public std::enable_shared_from_this<EventSession<Stream>> {
 public:
  EventSession(Stream&& stream, std::shared_ptr<SessionShared> shared,
               std::shared_ptr<EventStream> events)
      : stream_(std::move(stream)),
        keepalive_(stream_.get_executor()),
        shared_(std::move(shared)),
        events_(std::move(events)) {}
  ~EventSession() override { shared_->registry.remove(this); }

  /// Writes `head` (the whole response head) and the replay, then follows the subscription.
  void start(std::string head) {
    shared_->registry.add(this->shared_from_this());
    boost::asio::post(stream_.get_executor(),
                      [self = this->shared_from_this(), head = std::move(head)]() mutable {
                        self->queue(std::move(head) + self->events_->encode(self->events_->replay));
                        self->events_->replay.clear();
                        self->watch_peer();
                        self->arm_keepalive();
                        self->pump();
                      });
  }

  void shutdown() override {
    boost::asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->close(); });
  }

 private:
  using error_code = boost::beast::error_code;

  // Takes from the subscription only between writes: while a client is slow to read, events
  // stay in its bounded queue, so that falling 1000 behind ends the stream instead of growing
  // this session's buffer.
  void pump() {
    if (closed_ || writing_) return;  // on_write pumps again
    auto& sub = *events_->subscription;
    queue(events_->encode(sub.take()));
    if (sub.ended()) {
      // Hub closed (server stopping) or this client fell too far behind: say what was
      // written, then end; the client resumes with Last-Event-ID.
      ending_ = true;
      if (!writing_) close();
      return;
    }
    std::weak_ptr<EventSession> weak = this->shared_from_this();
    auto const executor = stream_.get_executor();
    bool const armed = sub.notify_when_ready([weak, executor] {
      boost::asio::post(executor, [weak] {
        if (auto self = weak.lock()) self->pump();
      });
    });
    if (!armed) {
      boost::asio::post(executor, [self = this->shared_from_this()] { self->pump(); });
    }
  }

  void queue(std::string text) {
    pending_ += text;
    if (!writing_) flush();
  }

  void flush() {
    if (closed_ || pending_.empty()) return;
    out_.swap(pending_);
    pending_.clear();
    writing_ = true;
    lowest().expires_after(shared_->limits.idle_timeout);  // a client that stops reading goes
    boost::asio::async_write(
        stream_, boost::asio::buffer(out_),
        boost::beast::bind_front_handler(&EventSession::on_write, this->shared_from_this()));
  }

  void on_write(error_code ec, std::size_t /*bytes*/) {
    writing_ = false;
    if (ec) return close();
    if (ending_ && pending_.empty()) return close();
    if (!pending_.empty()) return flush();
    pump();
  }

  void arm_keepalive() {
    keepalive_.expires_after(shared_->limits.event_keepalive);
    keepalive_.async_wait([self = this->shared_from_this()](error_code ec) {
      if (ec || self->closed_) return;
      if (!self->writing_ && self->pending_.empty()) self->queue(kKeepAliveComment);
      self->arm_keepalive();
    });
  }

  // The client sends nothing after its request; a read completes when it goes away. It reads
  // the socket itself (under TLS too): no timeout applies to it, and nothing is expected.
  void watch_peer() {
    lowest().socket().async_read_some(
        boost::asio::buffer(peer_buffer_),
        [self = this->shared_from_this()](error_code ec, std::size_t /*bytes*/) {
          if (ec) return self->close();
          self->watch_peer();
        });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    keepalive_.cancel();
    error_code ignored;
    lowest().socket().shutdown(boost::asio::socket_base::shutdown_both, ignored);
    lowest().close();
  }

  auto& lowest() { return boost::beast::get_lowest_layer(stream_); }

  Stream stream_;
  boost::asio::steady_timer keepalive_;
  std::shared_ptr<SessionShared> shared_;
  std::shared_ptr<EventStream> events_;
  std::string out_;      // being written
  std::string pending_;  // queued while a write runs
  std::array<char, 512> peer_buffer_{};
  bool writing_ = false;
  bool ending_ = false;
  bool closed_ = false;
};

/// The response head of an event stream: no length, the connection closes when it ends.
inline std::string event_stream_head(Response const& res, unsigned version) {
  std::string head = version == 10 ? "HTTP/1.0 200 OK\r\n" : "HTTP/1.1 200 OK\r\n";
  head += "Server: daxd\r\nContent-Type: " + res.content_type + "\r\n";
  for (auto const& [name, value] : res.headers) head += name + ": " + value + "\r\n";
  head += "Connection: close\r\n\r\n";
  return head;
}

}  // namespace daxd::api::detail
