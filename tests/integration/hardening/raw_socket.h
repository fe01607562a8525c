// SPDX-License-Identifier: Apache-2.0
// Raw unix-socket clients for the hardening tests: slow, oversized and idle connections that a
// well-behaved HTTP client cannot produce.
#pragma once

#include <string>
#include <string_view>

namespace daxd::testing {

/// A connected unix stream socket, closed on destruction. Blocking reads give up after
/// `read_bound_s` (the test's own bound: a server that never answers fails, not hangs, a test).
class RawConnection {
 public:
  RawConnection(std::string const& socket_path, int read_bound_s);
  ~RawConnection();
  RawConnection(RawConnection&& other) noexcept;
  RawConnection& operator=(RawConnection&&) = delete;
  RawConnection(RawConnection const&) = delete;
  RawConnection& operator=(RawConnection const&) = delete;

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  /// False once the server closed its side (EPIPE) or on any other error; never raises SIGPIPE.
  bool send(std::string_view data) const;
  /// Reads one HTTP/1.1 response (head + Content-Length body). status 0 when the connection
  /// closed or the read bound passed first.
  struct Reply {
    unsigned status = 0;
    std::string head;  // status line and fields
    std::string body;
    bool timed_out = false;
  };
  Reply read_reply();
  /// Everything until the server closes; "timeout" when the read bound passes first.
  std::string read_until_closed();

 private:
  int fd_ = -1;
  std::string pending_;  // read past the last reply
};

/// GET `target` on a fresh connection and the reply.
RawConnection::Reply raw_get(std::string const& socket_path, std::string const& target);

/// Sets the soft RLIMIT_NOFILE to `soft` (at most the hard limit); returns the previous soft one.
unsigned long set_open_file_limit(unsigned long soft);

}  // namespace daxd::testing
