// SPDX-License-Identifier: Apache-2.0
// The scripted daxd of fake_daxd.h: plain blocking sockets on one thread.
#include "tests/unit/cli/fake_daxd.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace daxd::cli::testing {
namespace {

namespace fs = std::filesystem;

std::size_t content_length(std::string const& head) {
  for (char const* key : {"Content-Length: ", "content-length: "}) {
    if (auto const at = head.find(key); at != std::string::npos) {
      return static_cast<std::size_t>(std::strtoul(head.c_str() + at + 16, nullptr, 10));
    }
  }
  return 0;
}

RecordedRequest read_request(int conn) {
  std::string data;
  std::array<char, 4096> buf{};
  RecordedRequest req;
  while (true) {
    auto const end = data.find("\r\n\r\n");
    if (end != std::string::npos && data.size() >= end + 4 + content_length(data.substr(0, end))) {
      req.head = data.substr(0, end);
      req.body = data.substr(end + 4);
      return req;
    }
    auto const n = ::read(conn, buf.data(), buf.size());
    if (n <= 0) return req;
    data.append(buf.data(), static_cast<std::size_t>(n));
  }
}

}  // namespace

CannedReply json_reply(unsigned status, std::string const& body, std::string const& content_type) {
  return {{"HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + content_type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
           body},
          false,
          0};
}

CannedReply sse_reply(std::vector<std::string> chunks, bool hold_open) {
  chunks.insert(chunks.begin(),
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                "Cache-Control: no-cache\r\nConnection: close\r\n\r\n");
  return {std::move(chunks), hold_open, 0};
}

FakeDaxd::FakeDaxd(std::vector<CannedReply> replies) {
  std::string tmpl = (fs::temp_directory_path() / "daxadm-fake-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  path_ = fs::path(tmpl) / "daxd.sock";
  fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 4) != 0) {
    std::abort();
  }
  thread_ = std::thread([this, r = std::move(replies)]() mutable { serve(std::move(r)); });
}

FakeDaxd::~FakeDaxd() {
  thread_.join();
  ::close(fd_);
  std::error_code ec;
  fs::remove_all(path_.parent_path(), ec);
}

void FakeDaxd::serve(std::vector<CannedReply> replies) {
  for (CannedReply const& reply : replies) {
    int const conn = ::accept(fd_, nullptr, nullptr);
    if (conn < 0) return;
    requests_.push_back(read_request(conn));
    std::this_thread::sleep_for(std::chrono::milliseconds(reply.delay_ms));
    for (std::string const& chunk : reply.chunks) {
      if (::send(conn, chunk.data(), chunk.size(), MSG_NOSIGNAL) < 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (reply.hold_open) {  // until the client hangs up
      std::array<char, 256> buf{};
      while (::read(conn, buf.data(), buf.size()) > 0) {
      }
    }
    ::close(conn);
  }
}

}  // namespace daxd::cli::testing
