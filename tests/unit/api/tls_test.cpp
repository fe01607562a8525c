// SPDX-License-Identifier: Apache-2.0
// TCP is TLS with a bearer token, or nothing: each refusal, and the path that works.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include "api/server.h"
#include "api/tls.h"
#include "tests/unit/api/fake_host.h"
#include "tests/unit/api/self_signed.h"

namespace daxd::api {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using HttpResponse = http::response<http::string_body>;

constexpr char kToken[] = "s3cret-token-0123456789";

class TlsTest : public ::testing::Test {
 protected:
  TlsTest() {
    std::string templ = "/tmp/daxd-tls-test-XXXXXX";
    dir_ = ::mkdtemp(templ.data());
    auto const files = testing::write_self_signed(dir_);
    options_.unix_socket.clear();
    options_.tcp_listen = "127.0.0.1:0";
    options_.tls_cert_file = files.cert;
    options_.tls_key_file = files.key;
    options_.token_file = write_token(kToken, 0600);
  }
  ~TlsTest() override {
    if (server_) {
      server_->stop();
      if (thread_.joinable()) thread_.join();
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string write_token(std::string const& text, mode_t mode) {
    std::string const path = dir_ + "/token-" + std::to_string(++tokens_);
    std::ofstream(path) << text << "\n";
    ::chmod(path.c_str(), mode);
    return path;
  }

  Result<void> try_start() {
    server_ = std::make_unique<Server>(options_, Services{inventory_, "fake", {}});
    return server_->start();
  }
  void start() {
    auto const started = try_start();
    ASSERT_TRUE(started) << started.error().message;
    thread_ = std::thread([this] { server_->run(); });
  }

  /// One request over a fresh TLS connection; the token is sent when not empty.
  HttpResponse request(http::verb verb, std::string const& target, std::string const& token) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_verify_mode(ssl::verify_none);  // a throwaway self-signed certificate
    beast::ssl_stream<net::ip::tcp::socket> s(ioc_, ctx);
    s.next_layer().connect({net::ip::make_address("127.0.0.1"), server_->tcp_port()});
    s.handshake(ssl::stream_base::client);
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "localhost");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    req.prepare_payload();
    http::write(s, req);
    beast::flat_buffer buffer;
    HttpResponse res;
    http::read(s, buffer, res);
    return res;
  }

  std::string dir_;
  int tokens_ = 0;
  ServerOptions options_;
  fake::FakeHost host_;
  inventory::Inventory inventory_{host_};
  std::unique_ptr<Server> server_;
  std::thread thread_;
  net::io_context ioc_;
};

TEST_F(TlsTest, TcpWithoutTlsOrTokenDoesNotStart) {
  options_.tls_cert_file.clear();
  auto const no_cert = try_start();
  ASSERT_FALSE(no_cert);
  EXPECT_EQ(no_cert.error().code, Errc::invalid_argument);
  EXPECT_NE(no_cert.error().message.find("only with tls"), std::string::npos);
}

TEST_F(TlsTest, TokenFileMustBePrivateAndLongEnough) {
  options_.token_file = write_token(kToken, 0640);
  auto const shared = try_start();
  ASSERT_FALSE(shared);
  EXPECT_NE(shared.error().message.find("readable by others"), std::string::npos);
  options_.token_file = write_token("short", 0600);
  auto const short_token = try_start();
  ASSERT_FALSE(short_token);
  EXPECT_NE(short_token.error().message.find("at least 16"), std::string::npos);
  options_.token_file = dir_ + "/missing";
  auto const missing = try_start();
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST_F(TlsTest, RequestsWithoutTheTokenAre401) {
  start();
  auto const none = request(http::verb::get, "/v1/regions", "");
  EXPECT_EQ(none.result_int(), 401U);
  EXPECT_EQ(none[http::field::www_authenticate], "Bearer realm=\"daxd\"");
  EXPECT_EQ(none[http::field::content_type], "application/problem+json");
  auto const wrong = request(http::verb::get, "/v1/regions", "s3cret-token-0123456780");
  EXPECT_EQ(wrong.result_int(), 401U);
  EXPECT_EQ(nlohmann::json::parse(wrong.body()).at("detail"), "the bearer token is not valid");
}

TEST_F(TlsTest, TheTokenOpensReadsAndMutations) {
  start();
  EXPECT_EQ(request(http::verb::get, "/v1/regions", kToken).result_int(), 200U);
  // Past authentication: this server has no engine, so the route itself answers 503.
  EXPECT_EQ(request(http::verb::post, "/v1/namespaces", kToken).result_int(), 503U);
}

TEST_F(TlsTest, PlainHttpOnTheTlsPortGetsNoAnswer) {
  start();
  net::ip::tcp::socket s(ioc_);
  s.connect({net::ip::make_address("127.0.0.1"), server_->tcp_port()});
  std::string const plain = "GET /v1/regions HTTP/1.1\r\nHost: x\r\n\r\n";
  net::write(s, net::buffer(plain));
  beast::flat_buffer buffer;
  HttpResponse res;
  beast::error_code ec;
  http::read(s, buffer, res, ec);
  EXPECT_TRUE(ec) << "a plain request was answered: " << res.result_int();
}

TEST_F(TlsTest, EventStreamRunsOverTls) {
  start();
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_verify_mode(ssl::verify_none);
  beast::ssl_stream<net::ip::tcp::socket> s(ioc_, ctx);
  s.next_layer().connect({net::ip::make_address("127.0.0.1"), server_->tcp_port()});
  s.handshake(ssl::stream_base::client);
  http::request<http::string_body> req{http::verb::get, "/v1/events", 11};
  req.set(http::field::host, "localhost");
  req.set(http::field::authorization, std::string("Bearer ") + kToken);
  http::write(s, req);
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> head;
  http::read_header(s, buffer, head);
  EXPECT_EQ(head.get().result_int(), 200U);
  EXPECT_EQ(head.get()[http::field::content_type], "text/event-stream");
}

TEST(BearerMatches, NeedsTheSchemeAndTheExactToken) {
  EXPECT_TRUE(bearer_matches("Bearer abc", "abc"));
  EXPECT_FALSE(bearer_matches("bearer abc", "abc"));
  EXPECT_FALSE(bearer_matches("Bearer abcd", "abc"));
  EXPECT_FALSE(bearer_matches("Bearer ab", "abc"));
  EXPECT_FALSE(bearer_matches("Bearer ", ""));
}

}  // namespace
}  // namespace daxd::api
