// SPDX-License-Identifier: Apache-2.0
// The real server on a temporary unix socket, spoken to with Beast's HTTP client.
#include "api/server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>

#include <gtest/gtest.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/unit/api/fake_host.h"

namespace daxd::api {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = net::local::stream_protocol;
using HttpResponse = http::response<http::string_body>;

std::string make_temp_dir() {
  std::string templ = "/tmp/daxd-api-test-XXXXXX";
  char* dir = ::mkdtemp(templ.data());
  EXPECT_NE(dir, nullptr);
  return templ;
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() : dir_(make_temp_dir()) { options_.unix_socket = dir_ + "/run/daxd.sock"; }
  ~ServerTest() override {
    stop_server();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void start_server() {
    server_ = std::make_unique<Server>(options_, Services{inventory_, "fake", {}});
    auto started = server_->start();
    ASSERT_TRUE(started) << started.error().message;
    thread_ = std::thread([this] { server_->run(); });
  }
  void stop_server() {
    if (!server_) return;
    server_->stop();
    if (thread_.joinable()) thread_.join();
    server_.reset();
  }

  local::socket connect() {
    local::socket s(ioc_);
    s.connect(local::endpoint(options_.unix_socket));
    return s;
  }
  HttpResponse exchange(local::socket& s, http::request<http::string_body>& req) {
    req.prepare_payload();
    http::write(s, req);
    return read_response(s);
  }
  HttpResponse read_response(local::socket& s) {
    HttpResponse res;
    http::read(s, buffer_, res);  // one connection per test: what is left belongs to it
    return res;
  }
  static http::request<http::string_body> get(std::string target, unsigned version = 11) {
    http::request<http::string_body> req{http::verb::get, target, version};
    req.set(http::field::host, "localhost");
    return req;
  }

  std::string dir_;
  ServerOptions options_;
  fake::FakeHost host_;
  inventory::Inventory inventory_{host_};
  std::unique_ptr<Server> server_;
  std::thread thread_;
  net::io_context ioc_;
  beast::flat_buffer buffer_;
};

TEST_F(ServerTest, SocketFileHasModeAndHealthzAnswers) {
  start_server();
  struct stat st {};
  ASSERT_EQ(::stat(options_.unix_socket.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0660U);
  ASSERT_EQ(::stat((dir_ + "/run").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755U);

  auto s = connect();
  auto req = get("/healthz");
  auto const res = exchange(s, req);
  EXPECT_EQ(res.result_int(), 200U);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(nlohmann::json::parse(res.body()).at("status"), "ok");
}

TEST_F(ServerTest, KeepAliveAndPipelinedRequestsShareOneConnection) {
  start_server();
  auto s = connect();
  auto first = get("/v1/regions");
  auto const r1 = exchange(s, first);
  EXPECT_EQ(r1.result_int(), 200U);
  EXPECT_TRUE(r1.keep_alive());
  auto second = get("/v1/namespaces/db");
  auto const r2 = exchange(s, second);
  EXPECT_EQ(r2.result_int(), 200U);
  EXPECT_EQ(nlohmann::json::parse(r2.body()).at("dev"), "namespace0.0");

  // Two requests written back to back are answered in order.
  auto a = get("/v1/regions/region0");
  auto b = get("/v1/regions/region1");
  a.prepare_payload();
  b.prepare_payload();
  http::write(s, a);
  http::write(s, b);
  EXPECT_EQ(nlohmann::json::parse(read_response(s).body()).at("dev"), "region0");
  EXPECT_EQ(nlohmann::json::parse(read_response(s).body()).at("dev"), "region1");
}

TEST_F(ServerTest, ConditionalGetIs304WithoutABodyAndTheConnectionGoesOn) {
  start_server();
  auto s = connect();
  auto first = get("/v1/namespaces");
  auto const full = exchange(s, first);
  ASSERT_EQ(full.result_int(), 200U);
  std::string const tag(full[http::field::etag]);
  ASSERT_FALSE(tag.empty());
  auto again = get("/v1/namespaces");
  again.set(http::field::if_none_match, tag);
  auto const unchanged = exchange(s, again);
  EXPECT_EQ(unchanged.result_int(), 304U);
  EXPECT_EQ(unchanged[http::field::etag], tag);
  EXPECT_EQ(unchanged.count(http::field::content_length), 0U);
  EXPECT_TRUE(unchanged.body().empty());
  EXPECT_TRUE(unchanged.keep_alive());
  auto next = get("/v1/regions/region0");
  EXPECT_EQ(nlohmann::json::parse(exchange(s, next).body()).at("dev"), "region0");
}

TEST_F(ServerTest, Http10GetsAnAnswerAndClose) {
  start_server();
  auto s = connect();
  auto req = get("/healthz", 10);
  auto const res = exchange(s, req);
  EXPECT_EQ(res.result_int(), 200U);
  EXPECT_FALSE(res.keep_alive());
}

TEST_F(ServerTest, TwoMebibyteBodyIs413Problem) {
  start_server();
  auto s = connect();
  http::request<http::string_body> req{http::verb::post, "/v1/namespaces", 11};
  req.set(http::field::host, "localhost");
  req.set(http::field::content_type, "application/json");
  req.body() = std::string(2U << 20, 'x');
  auto const res = exchange(s, req);
  EXPECT_EQ(res.result_int(), 413U);
  EXPECT_EQ(res[http::field::content_type], "application/problem+json");
  EXPECT_EQ(nlohmann::json::parse(res.body()).at("type"), "urn:daxd:problem:payload_too_large");
  EXPECT_FALSE(res.keep_alive());
}

TEST_F(ServerTest, SixtyFourKibHeaderIs431) {
  start_server();
  auto s = connect();
  auto req = get("/healthz");
  // Beast's client caps one field's size, so 64 KiB of header come as 16 fields of 4 KiB.
  for (int i = 0; i < 16; ++i) req.set("X-Padding-" + std::to_string(i), std::string(4096, 'a'));
  auto const res = exchange(s, req);
  EXPECT_EQ(res.result_int(), 431U);
  EXPECT_FALSE(res.keep_alive());
}

TEST_F(ServerTest, IdleConnectionIsClosedAfterTimeout) {
  options_.idle_timeout = std::chrono::seconds(1);
  start_server();
  auto s = connect();
  char byte = 0;
  beast::error_code ec;
  s.read_some(net::buffer(&byte, 1), ec);  // blocks until the server gives up on us
  EXPECT_EQ(ec, net::error::eof);
}

TEST_F(ServerTest, StopReturnsFromRunWithAnIdleSessionOpen) {
  start_server();
  auto s = connect();
  auto req = get("/healthz");
  EXPECT_EQ(exchange(s, req).result_int(), 200U);
  server_->stop();
  thread_.join();  // returns: the idle keep-alive session was closed
  char byte = 0;
  beast::error_code ec;
  s.read_some(net::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, net::error::eof);
  EXPECT_FALSE(std::filesystem::exists(options_.unix_socket)) << "socket file removed on stop";
}

TEST_F(ServerTest, StopBeforeRunMakesRunReturn) {
  Server server(options_, Services{inventory_, "fake", {}});
  ASSERT_TRUE(server.start());
  server.stop();
  server.run();  // returns at once instead of serving
  SUCCEED();
}

// main sends READY=1 right after start(); systemd may answer with SIGTERM before run() began.
TEST_F(ServerTest, SigtermBetweenStartAndRunStopsCleanly) {
  pid_t const child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Server server(options_, Services{inventory_, "fake", {}});
    if (!server.start()) ::_exit(3);
    ::kill(::getpid(), SIGTERM);  // delivered now, before run(): must not kill the process
    server.run();                 // returns: the signal was turned into stop()
    ::_exit(std::filesystem::exists(options_.unix_socket) ? 4 : 0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(ServerTest, ServerThatNeverRanRemovesItsSocketFile) {
  {
    Server server(options_, Services{inventory_, "fake", {}});
    ASSERT_TRUE(server.start());
    EXPECT_TRUE(std::filesystem::exists(options_.unix_socket));
  }
  EXPECT_FALSE(std::filesystem::exists(options_.unix_socket));
}

TEST_F(ServerTest, StaleSocketFileIsReplacedButALiveOneIsNot) {
  std::filesystem::create_directories(dir_ + "/run");
  {
    local::acceptor stale(ioc_, local::endpoint(options_.unix_socket));
  }  // closed: the file stays behind, nobody listens
  ASSERT_TRUE(std::filesystem::exists(options_.unix_socket));
  start_server();
  Server second(options_, Services{inventory_, "fake", {}});
  auto const started = second.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, Errc::io_error);
  auto s = connect();
  auto req = get("/healthz");
  EXPECT_EQ(exchange(s, req).result_int(), 200U) << "the first server still owns the socket";
}

TEST_F(ServerTest, BadTcpAddressAndUnknownGroupAreInvalidArgument) {
  options_.tcp_listen = "localhost-ish";
  Server bad_tcp(options_, Services{inventory_, "fake", {}});
  auto const r1 = bad_tcp.start();
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().code, Errc::invalid_argument);
  options_.tcp_listen.clear();
  options_.admin_group = "no-such-group-daxd-test";
  Server bad_group(options_, Services{inventory_, "fake", {}});
  auto const r2 = bad_group.start();
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().code, Errc::invalid_argument);
}

// Connection limits: per-phase read deadlines and the maximum number of connections.

/// Blocking reads on `s` give up after `seconds`: the test's own bound, so that a server that
/// never cuts a slow client fails the test instead of hanging it.
void bound_reads(local::socket& s, int seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/// Sends `prefix`, then `drip` one byte at a time with a pause between bytes, until the server
/// closes the connection or `stop` is set. Raw syscalls: the reader runs on another thread.
void trickle(int fd, std::string const& prefix, std::string const& drip,
             std::atomic<bool> const& stop) {
  ::send(fd, prefix.data(), prefix.size(), MSG_NOSIGNAL);
  for (char const c : drip) {
    if (stop) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (::send(fd, &c, 1, MSG_NOSIGNAL) != 1) return;  // cut off
  }
}

/// What a slow client reads: "" when the server closed the connection without an answer;
/// "timeout" when the server neither answered nor closed within the bound.
std::string read_until_closed(local::socket& s) {
  char buf[512];
  std::string got;
  for (;;) {
    ssize_t const n = ::recv(s.native_handle(), buf, sizeof buf, 0);
    if (n > 0) {
      got.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return "timeout";
    return got;  // EOF or reset
  }
}

HttpResponse fetch(local::socket& s, std::string const& target) {
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "localhost");
  http::write(s, req);
  beast::flat_buffer buffer;
  HttpResponse res;
  http::read(s, buffer, res);
  return res;
}

TEST_F(ServerTest, HeaderSentAByteAtATimeIsCutOffWhileOthersAreAnswered) {
  options_.header_timeout = std::chrono::seconds(1);
  start_server();
  auto slow = connect();
  bound_reads(slow, 60);
  std::atomic<bool> stop{false};
  std::thread slowloris(trickle, slow.native_handle(), "GET /healthz HTTP/1.1\r\nHost: x\r\n",
                        std::string(200, 'X'), std::cref(stop));
  auto other = connect();
  EXPECT_EQ(fetch(other, "/healthz").result_int(), 200U) << "a slow client delays nobody";
  EXPECT_EQ(read_until_closed(slow), "") << "cut off without an answer";
  stop = true;
  slowloris.join();
  EXPECT_EQ(fetch(other, "/healthz").result_int(), 200U);
}

TEST_F(ServerTest, BodySentAByteAtATimeIsCutOff) {
  options_.body_timeout = std::chrono::seconds(1);
  start_server();
  auto slow = connect();
  bound_reads(slow, 60);
  std::atomic<bool> stop{false};
  std::thread slowloris(trickle, slow.native_handle(),
                        "POST /v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: "
                        "application/json\r\nContent-Length: 200\r\n\r\n",
                        std::string(200, ' '), std::cref(stop));
  EXPECT_EQ(read_until_closed(slow), "");
  stop = true;
  slowloris.join();
}

TEST_F(ServerTest, HeaderDeadlineStartsAtTheFirstByteNotWhileIdle) {
  options_.header_timeout = std::chrono::seconds(1);
  options_.idle_timeout = std::chrono::seconds(30);
  start_server();
  auto s = connect();
  EXPECT_EQ(fetch(s, "/healthz").result_int(), 200U);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // idle, kept alive
  EXPECT_EQ(fetch(s, "/healthz").result_int(), 200U);
}

TEST_F(ServerTest, ConnectionsBeyondTheMaximumGet503AndAFreedSlotIsReused) {
  options_.max_connections = 2;
  start_server();
  auto a = connect();
  auto b = connect();
  EXPECT_EQ(fetch(a, "/healthz").result_int(), 200U);
  EXPECT_EQ(fetch(b, "/healthz").result_int(), 200U);

  auto c = connect();
  bound_reads(c, 60);
  beast::flat_buffer buffer;
  HttpResponse refused;
  beast::error_code ec;
  http::read(c, buffer, refused, ec);  // answered before it sent anything
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(refused.result_int(), 503U);
  EXPECT_EQ(refused[http::field::content_type], "application/problem+json");
  EXPECT_FALSE(refused.keep_alive());
  EXPECT_EQ(nlohmann::json::parse(refused.body()).at("type"),
            "urn:daxd:problem:too_many_connections");
  EXPECT_EQ(read_until_closed(c), "") << "and closed";

  a.close();  // its session ends when the server reads the close: poll until the slot is free
  unsigned status = 0;
  for (int i = 0; i < 100 && status != 200U; ++i) {
    auto d = connect();
    bound_reads(d, 60);
    beast::flat_buffer dbuf;
    HttpResponse res;
    http::request<http::string_body> req{http::verb::get, "/healthz", 11};
    req.set(http::field::host, "localhost");
    http::write(d, req, ec);
    http::read(d, dbuf, res, ec);
    status = ec ? 0U : res.result_int();
    if (status != 200U) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 200U);
  EXPECT_EQ(fetch(b, "/healthz").result_int(), 200U) << "the kept connection still works";
}

// TCP (TLS with a bearer token) is tested in tls_test.cpp.

}  // namespace
}  // namespace daxd::api
