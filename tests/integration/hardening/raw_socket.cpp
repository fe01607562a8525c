// SPDX-License-Identifier: Apache-2.0
// Raw unix-socket clients for the hardening tests.
#include "tests/integration/hardening/raw_socket.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <utility>

namespace daxd::testing {

RawConnection::RawConnection(std::string const& socket_path, int read_bound_s) {
  int const fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr const*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return;
  }
  timeval tv{read_bound_s, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  fd_ = fd;
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

RawConnection::RawConnection(RawConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), pending_(std::move(other.pending_)) {}

bool RawConnection::send(std::string_view data) const {
  while (!data.empty()) {
    ssize_t const n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

namespace {

std::size_t content_length(std::string const& head) {
  std::string lower(head);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto const at = lower.find("\r\ncontent-length:");
  if (at == std::string::npos) return 0;
  return std::stoul(lower.substr(at + 17));
}

}  // namespace

RawConnection::Reply RawConnection::read_reply() {
  Reply reply;
  char buf[8192];
  auto fill = [&]() -> bool {
    ssize_t const n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      pending_.append(buf, static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) reply.timed_out = true;
    return false;
  };
  std::size_t end = 0;
  while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return reply;
  }
  reply.head = pending_.substr(0, end + 2);
  std::size_t const length = content_length(reply.head);
  while (pending_.size() < end + 4 + length) {
    if (!fill()) return reply;
  }
  reply.body = pending_.substr(end + 4, length);
  pending_.erase(0, end + 4 + length);
  if (reply.head.size() > 12 && reply.head.compare(0, 5, "HTTP/") == 0) {
    reply.status = static_cast<unsigned>(std::stoul(reply.head.substr(9, 3)));
  }
  return reply;
}

std::string RawConnection::read_until_closed() {
  std::string got = std::exchange(pending_, {});
  char buf[8192];
  for (;;) {
    ssize_t const n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      got.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return "timeout";
    return got;  // EOF or reset
  }
}

RawConnection::Reply raw_get(std::string const& socket_path, std::string const& target) {
  RawConnection c(socket_path, 120);
  if (!c.ok()) return {};
  c.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  return c.read_reply();
}

unsigned long set_open_file_limit(unsigned long soft) {
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  unsigned long const previous = lim.rlim_cur;
  lim.rlim_cur = std::min<rlim_t>(soft, lim.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &lim);
  return previous;
}

}  // namespace daxd::testing
