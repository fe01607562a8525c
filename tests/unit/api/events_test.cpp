// SPDX-License-Identifier: Apache-2.0
// GET /v1/events over a real socket with the real engine, the event hub's bounds, and ?wait=
// running off the io threads.
#include <grp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "api/event_stream.h"
#include "tests/unit/api/engine_env.h"

namespace daxd::api::testing {
namespace {

namespace net = boost::asio;
using local = net::local::stream_protocol;
using nlohmann::json;

constexpr char kCreateDb[] = R"({"name":"db","region":"region0","size":"256M"})";

/// A raw client: writes one request, then reads what comes with a receive timeout.
class RawClient {
 public:
  explicit RawClient(std::string const& path) : socket_(ioc_) {
    socket_.connect(local::endpoint(path));
    timeval tv{10, 0};  // a broken server fails the test instead of hanging it
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void send(std::string const& text) { net::write(socket_, net::buffer(text)); }
  /// Reads until `needle` was received (true) or the connection ends or times out (false).
  bool read_until(std::string const& needle) {
    while (received_.find(needle) == std::string::npos) {
      char buf[4096];
      boost::system::error_code ec;
      auto const n = socket_.read_some(net::buffer(buf), ec);
      if (ec) return false;
      received_.append(buf, n);
    }
    return true;
  }
  /// Reads until the server closes; true when it did (not a timeout).
  bool read_to_end() {
    while (true) {
      char buf[4096];
      boost::system::error_code ec;
      auto const n = socket_.read_some(net::buffer(buf), ec);
      if (ec) return ec == net::error::eof;
      received_.append(buf, n);
    }
  }
  std::string const& received() const { return received_; }
  /// Whether an answer has started to arrive, without waiting for one.
  bool answered() { return socket_.available() > 0 || !received_.empty(); }

 private:
  net::io_context ioc_;
  local::socket socket_;
  std::string received_;
};

std::string get_request(std::string const& target, std::string const& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "\r\n";
}

std::string post_request(std::string const& target, std::string const& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

/// The events of a server-sent event text: (id, event, data) for each complete one.
struct Sse {
  std::string id, event;
  json data;
};
std::vector<Sse> parse_events(std::string const& text) {
  std::vector<Sse> out;
  auto const body_at = text.find("\r\n\r\n");
  std::size_t pos = body_at == std::string::npos ? 0 : body_at + 4;
  while (true) {
    auto const end = text.find("\n\n", pos);
    if (end == std::string::npos) break;
    std::string const block = text.substr(pos, end - pos);
    pos = end + 2;
    Sse e;
    std::size_t line_at = 0;
    while (line_at < block.size()) {
      auto const nl = std::min(block.find('\n', line_at), block.size());
      std::string const line = block.substr(line_at, nl - line_at);
      line_at = nl + 1;
      if (line.rfind("id: ", 0) == 0) e.id = line.substr(4);
      if (line.rfind("event: ", 0) == 0) e.event = line.substr(7);
      if (line.rfind("data: ", 0) == 0) e.data = json::parse(line.substr(6), nullptr, false);
    }
    if (!e.event.empty()) out.push_back(std::move(e));
  }
  return out;
}

std::vector<std::string> operation_states(std::vector<Sse> const& events) {
  std::vector<std::string> out;
  for (auto const& e : events) {
    if (e.event == "operation") out.push_back(e.data.at("data").at("state"));
  }
  return out;
}

class EventsOverSocket : public ::testing::Test {
 protected:
  EventsOverSocket() {
    options_.unix_socket = (env_.dir / "daxd.sock").string();
    options_.event_keepalive = std::chrono::milliseconds(200);
    // Mutations over the socket need an admin peer: this test's own group makes it one.
    if (::geteuid() != 0) {
      if (auto const* g = ::getgrgid(::getegid())) options_.admin_group = g->gr_name;
    }
  }
  ~EventsOverSocket() override { stop(); }
  void start() {
    server_ = std::make_unique<Server>(options_, *env_.services);
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().message;
    thread_ = std::thread([this] { server_->run(); });
  }
  void stop() {
    if (!server_) return;
    server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }
  /// Waits until the hub has `n` subscribers (the stream's session subscribed).
  void await_subscribers(std::size_t n) {
    for (int i = 0; i < 500 && env_.hub->subscribers() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(env_.hub->subscribers(), n);
  }

  ApiEngineEnv env_{::testing::UnitTest::GetInstance()->current_test_info()->name()};
  ServerOptions options_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST_F(EventsOverSocket, LiveEventsFollowAnOperation) {
  start();
  RawClient events(options_.unix_socket);
  events.send(get_request("/v1/events?type=operation"));
  ASSERT_TRUE(events.read_until("\r\n\r\n"));
  EXPECT_EQ(events.received().rfind("HTTP/1.1 200 OK\r\n", 0), 0U) << events.received();
  EXPECT_NE(events.received().find("Content-Type: text/event-stream\r\n"), std::string::npos);
  await_subscribers(1);

  RawClient mutation(options_.unix_socket);
  mutation.send(post_request("/v1/namespaces", kCreateDb));
  ASSERT_TRUE(mutation.read_to_end());
  EXPECT_EQ(mutation.received().rfind("HTTP/1.1 202 Accepted\r\n", 0), 0U) << mutation.received();

  ASSERT_TRUE(events.read_until("\"state\":\"completed\"")) << events.received();
  auto const parsed = parse_events(events.received());
  auto const states = operation_states(parsed);
  ASSERT_GE(states.size(), 3U) << events.received();
  EXPECT_EQ(states.front(), "pending");
  EXPECT_EQ(states[1], "running");
  EXPECT_EQ(states.back(), "completed");
  for (auto const& e : parsed) {
    EXPECT_FALSE(e.id.empty());
    EXPECT_EQ(e.data.at("type"), "operation");
    EXPECT_EQ(e.data.at("object").get<std::string>().rfind("operation/", 0), 0U);
    EXPECT_TRUE(e.data.contains("at_ms"));
  }
}

TEST_F(EventsOverSocket, LastEventIdReplaysStoredEventsThenLiveOnes) {
  start();
  auto const created = env_.call("POST", "/v1/namespaces?wait=10", kCreateDb);
  ASSERT_EQ(created.status, 201U) << created.body;
  auto const stored = env_.state->events().since(0, 100);
  ASSERT_TRUE(stored);
  ASSERT_GE(stored->size(), 3U);
  auto const first_id = stored->front().id;

  RawClient events(options_.unix_socket);
  events.send(get_request("/v1/events", "Last-Event-ID: " + std::to_string(first_id) + "\r\n"));
  ASSERT_TRUE(events.read_until("\"state\":\"completed\"")) << events.received();
  auto replayed = parse_events(events.received());
  ASSERT_EQ(replayed.size(), stored->size() - 1) << events.received();
  EXPECT_EQ(replayed.front().id, std::to_string(first_id + 1));

  await_subscribers(1);
  ASSERT_EQ(env_.call("DELETE", "/v1/namespaces/db?wait=10").status, 200U);
  ASSERT_TRUE(events.read_until("destroy-namespace")) << events.received();
  ASSERT_TRUE(events.read_until("\"state\":\"completed\"")) << events.received();

  // ?since= works the same; nothing stored after the newest id -> only the head.
  RawClient since(options_.unix_socket);
  since.send(get_request("/v1/events?since=" + std::to_string(first_id)));
  ASSERT_TRUE(since.read_until("destroy-namespace")) << since.received();
}

TEST_F(EventsOverSocket, IdleStreamGetsKeepAlivesAndEndsWhenTheServerStops) {
  start();
  RawClient events(options_.unix_socket);
  events.send(get_request("/v1/events"));
  ASSERT_TRUE(events.read_until(": keep-alive\n\n")) << events.received();
  stop();
  EXPECT_TRUE(events.read_to_end()) << "the stream ends when the server stops";
}

TEST_F(EventsOverSocket, AClientThatDoesNotReadIsDisconnectedAndPublishNeverWaits) {
  start();
  RawClient lazy(options_.unix_socket);
  lazy.send(get_request("/v1/events"));
  await_subscribers(1);
  std::string const payload = "{\"pad\":\"" + std::string(4096, 'x') + "\"}";
  // Far more than the socket buffers hold: the session stops taking from its queue while its
  // write is stuck, the queue passes 1000 and the hub ends the subscription.
  for (int i = 1; i <= 3000; ++i) {
    env_.hub->publish(StoredEvent{i, 0, "operation", "operation/1", payload});
  }
  EXPECT_EQ(env_.hub->subscribers(), 0U);
  ASSERT_TRUE(lazy.read_to_end()) << "the stream was closed, not left hanging";
  auto const got = parse_events(lazy.received());
  EXPECT_LT(got.size(), 3000U);
}

TEST_F(EventsOverSocket, ReplayWithoutHistoryIs503AndBadIdIs400) {
  env_.services->event_history = nullptr;
  start();
  RawClient replay(options_.unix_socket);
  replay.send(get_request("/v1/events?since=3", "Connection: close\r\n"));
  ASSERT_TRUE(replay.read_to_end());
  EXPECT_EQ(replay.received().rfind("HTTP/1.1 503", 0), 0U) << replay.received();
  RawClient bad(options_.unix_socket);
  bad.send(get_request("/v1/events", "Last-Event-ID: seven\r\nConnection: close\r\n"));
  ASSERT_TRUE(bad.read_to_end());
  EXPECT_EQ(bad.received().rfind("HTTP/1.1 400", 0), 0U) << bad.received();
}

TEST_F(EventsOverSocket, WaitingRequestsDoNotHoldTheIoThreads) {
  options_.threads = 1;  // one io thread: a blocking request on it would starve every other
  ASSERT_EQ(env_.call("POST", "/v1/namespaces?wait=10", kCreateDb).status, 201U);
  auto const ns = env_.host->nvdimm().list_namespaces();
  ASSERT_TRUE(ns && ns->size() == 1U);
  // policy=terminate on a process that ignores SIGTERM: the preflight keeps asking for ~5 s.
  host::sim::SimProcess stubborn{4545,
                                 "stubborn",
                                 {host::sim::open_fd("/dev/" + ns->front().blockdev)},
                                 /*ignore_sigterm=*/true};
  ASSERT_TRUE(env_.host->add_process(stubborn));
  start();
  RawClient slow(options_.unix_socket);
  slow.send(
      "DELETE /v1/namespaces/db?policy=terminate HTTP/1.1\r\nHost: localhost\r\n"
      "Connection: close\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let it reach the preflight
  RawClient reader(options_.unix_socket);
  reader.send(get_request("/v1/regions", "Connection: close\r\n"));
  ASSERT_TRUE(reader.read_to_end());
  EXPECT_EQ(reader.received().rfind("HTTP/1.1 200 OK", 0), 0U) << reader.received();
  EXPECT_FALSE(slow.answered()) << "the read was answered while the mutation still waits";
  ASSERT_TRUE(slow.read_to_end());
  EXPECT_EQ(slow.received().rfind("HTTP/1.1 409", 0), 0U) << slow.received();
  EXPECT_NE(slow.received().find("stubborn"), std::string::npos) << slow.received();
}

TEST(EventHub, ASubscriberThatFallsBehindIsEndedAndPublishGoesOn) {
  EventHub hub(3);
  auto slow = hub.subscribe();
  auto fast = hub.subscribe();
  for (int i = 1; i <= 3; ++i) hub.publish(StoredEvent{i, 0, "operation", "operation/1", "{}"});
  EXPECT_EQ(fast->take().size(), 3U);
  EXPECT_FALSE(slow->ended());
  hub.publish(StoredEvent{4, 0, "operation", "operation/1", "{}"});
  EXPECT_TRUE(slow->ended());
  EXPECT_TRUE(slow->overflowed());
  EXPECT_TRUE(slow->take().empty());
  EXPECT_EQ(fast->take().size(), 1U);
  EXPECT_EQ(hub.subscribers(), 1U);
  hub.close();
  EXPECT_TRUE(fast->ended());
  EXPECT_FALSE(fast->overflowed());
  EXPECT_TRUE(hub.subscribe()->ended());
}

TEST(EventHub, WakerRunsOnceWhenAnEventArrives) {
  EventHub hub;
  auto sub = hub.subscribe();
  int woken = 0;
  EXPECT_TRUE(sub->notify_when_ready([&] { ++woken; }));
  hub.publish(StoredEvent{1, 0, "operation", "operation/1", "{}"});
  hub.publish(StoredEvent{2, 0, "operation", "operation/1", "{}"});
  EXPECT_EQ(woken, 1);
  EXPECT_FALSE(sub->notify_when_ready([&] { ++woken; })) << "events are waiting already";
  EXPECT_EQ(sub->take().size(), 2U);
}

TEST(EventStreamText, EncodesOneLineDataAndFiltersAndSkipsReplayed) {
  auto const text =
      encode_event(StoredEvent{7, 12, "operation", "operation/3", "{\n \"state\": \"running\"\n}"});
  EXPECT_EQ(text,
            "id: 7\nevent: operation\ndata: {\"at_ms\":12,\"data\":{\"state\":\"running\"},"
            "\"object\":\"operation/3\",\"type\":\"operation\"}\n\n");
  EventStream stream;
  stream.type_filter = "operation";
  stream.last_id = 7;
  auto const out = stream.encode({StoredEvent{7, 0, "operation", "o", "{}"},
                                  StoredEvent{8, 0, "device-removed", "d", "{}"},
                                  StoredEvent{9, 0, "operation.completed", "o", "{}"}});
  EXPECT_EQ(out.find("id: 7\n"), std::string::npos);
  EXPECT_EQ(out.find("id: 8\n"), std::string::npos);
  EXPECT_NE(out.find("id: 9\n"), std::string::npos);
  EXPECT_EQ(stream.last_id, 9);
}

}  // namespace
}  // namespace daxd::api::testing
