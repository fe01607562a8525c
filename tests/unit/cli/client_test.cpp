// SPDX-License-Identifier: Apache-2.0
// The client against a canned one-shot server on a temporary unix socket, and daxadm's
// behaviour when nothing listens.
#include "api/client/client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "cli/app.h"

namespace daxd::api_client {
namespace {

namespace fs = std::filesystem;

fs::path temp_socket(char const* name) {
  std::string tmpl = (fs::temp_directory_path() / "daxadm-test-XXXXXX").string();
  char* dir = ::mkdtemp(tmpl.data());
  EXPECT_NE(dir, nullptr);
  return fs::path(tmpl) / name;
}

// Accepts one connection, reads the request head (and `body_bytes`), answers `reply`.
class OneShotServer {
 public:
  OneShotServer(fs::path path, std::string reply) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 1), 0);
    thread_ = std::thread([this, reply = std::move(reply)] { serve(reply); });
  }
  ~OneShotServer() {
    thread_.join();
    ::close(fd_);
    fs::remove_all(path_.parent_path());
  }
  std::string const& request() const { return request_; }

 private:
  void serve(std::string const& reply) {
    int const conn = ::accept(fd_, nullptr, nullptr);
    if (conn < 0) return;
    std::array<char, 4096> buf{};
    while (request_.find("\r\n\r\n") == std::string::npos) {
      auto const n = ::read(conn, buf.data(), buf.size());
      if (n <= 0) break;
      request_.append(buf.data(), static_cast<std::size_t>(n));
    }
    auto const written = ::write(conn, reply.data(), reply.size());
    EXPECT_EQ(written, static_cast<ssize_t>(reply.size()));
    ::close(conn);
  }

  fs::path path_;
  int fd_ = -1;
  std::thread thread_;
  std::string request_;
};

TEST(Client, ReturnsStatusTypeAndBody) {
  auto const path = temp_socket("s.sock");
  OneShotServer server(path,
                       "HTTP/1.1 404 Not Found\r\nContent-Type: application/problem+json\r\n"
                       "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
  Client client(path.string());
  auto const r = client.request("GET", "/v1/nope");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 404u);
  EXPECT_EQ(r->content_type, "application/problem+json");
  EXPECT_EQ(r->body, "{}");
}

TEST(Client, MissingSocketIsUnavailableWithAClearMessage) {
  Client client("/nonexistent/daxd.sock");
  auto const r = client.request("GET", "/healthz");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unavailable);
  EXPECT_EQ(r.error().message,
            "cannot connect to daxd at /nonexistent/daxd.sock: No such file or directory "
            "(is daxd running?)");
}

TEST(Client, SilentServerTimesOut) {
  auto const path = temp_socket("silent.sock");
  int const fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);  // the kernel completes the connect; nobody ever answers
  Client client(path.string(), std::chrono::milliseconds(200));
  auto const r = client.request("GET", "/healthz");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::timeout);
  ::close(fd);
  fs::remove_all(path.parent_path());
}

TEST(Client, UnknownMethodIsRejected) {
  Client client("/nonexistent/daxd.sock");
  auto const r = client.request("FROB", "/");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(Daxadm, ListThroughCannedServer) {
  auto const path = temp_socket("list.sock");
  std::string const body =
      R"([{"dev":"namespace0.0","mode":"raw","region":"region0","size":4096}])";
  OneShotServer server(path,
                       "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                       "Content-Length: " +
                           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  std::ostringstream out, err;
  int const rc = cli::run({"daxadm", "--socket", path.string(), "list"}, out, err);
  EXPECT_EQ(rc, 0) << err.str();
  EXPECT_EQ(out.str(),
            "[\n  {\n    \"dev\":\"namespace0.0\",\n    \"mode\":\"raw\",\n"
            "    \"size\":4096\n  }\n]\n");
  EXPECT_EQ(server.request().rfind("GET /v1/namespaces HTTP/1.1\r\n", 0), 0u);
}

TEST(Daxadm, ProblemFromDaxdExitsOne) {
  auto const path = temp_socket("p.sock");
  std::string const body = R"({"type":"urn:daxd:problem:not_found","title":"not found",)"
                           R"("status":404,"detail":"region9: no such region"})";
  OneShotServer server(path,
                       "HTTP/1.1 404 Not Found\r\nContent-Type: application/problem+json"
                       "\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
  std::ostringstream out, err;
  EXPECT_EQ(cli::run({"daxadm", "--socket", path.string(), "list", "-R"}, out, err), 1);
  EXPECT_EQ(err.str(), "daxadm: region9: no such region\n");
  EXPECT_EQ(out.str(), "");
}

TEST(Daxadm, UnreachableAndUsageErrorsExitTwo) {
  std::ostringstream out, err;
  EXPECT_EQ(cli::run({"daxadm", "--socket", "/nonexistent/d.sock", "list"}, out, err), 2);
  EXPECT_NE(err.str().find("cannot connect to daxd at /nonexistent/d.sock"), std::string::npos);
  EXPECT_EQ(cli::run({"daxadm", "list", "--frobnicate"}, out, err), 2);
  EXPECT_EQ(cli::run({"daxadm"}, out, err), 2);
}

TEST(Daxadm, SocketDefaultsToTheEnvironment) {
  ::setenv("DAXD_SOCKET", "/nonexistent/env.sock", 1);
  std::ostringstream out, err;
  EXPECT_EQ(cli::run({"daxadm", "list"}, out, err), 2);
  ::unsetenv("DAXD_SOCKET");
  EXPECT_NE(err.str().find("/nonexistent/env.sock"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace daxd::api_client
