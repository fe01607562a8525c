// SPDX-License-Identifier: Apache-2.0
// A scripted daxd for verb tests: on a temporary unix socket, each connection gets the next
// canned answer (sent in chunks), and every request is recorded with its body.
#pragma once

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace daxd::cli::testing {

/// One canned answer: written chunk by chunk (with a short pause between chunks so that the
/// client sees them as separate reads); with `hold_open` the server then waits for the client
/// to close instead of closing itself (an endless event stream).
struct CannedReply {
  std::vector<std::string> chunks;
  bool hold_open = false;
  int delay_ms = 0;  // before the first chunk
};

/// "HTTP/1.1 <status>" with a Content-Type and Content-Length, Connection: close.
CannedReply json_reply(unsigned status, std::string const& body,
                       std::string const& content_type = "application/json");

/// A 200 text/event-stream head (no length, close-delimited) followed by `chunks`.
CannedReply sse_reply(std::vector<std::string> chunks, bool hold_open);

struct RecordedRequest {
  std::string head;  // request line and headers
  std::string body;
  std::string request_line() const { return head.substr(0, head.find("\r\n")); }
};

class FakeDaxd {
 public:
  explicit FakeDaxd(std::vector<CannedReply> replies);
  ~FakeDaxd();  // joins the server thread (after all replies were served or the socket closed)
  FakeDaxd(FakeDaxd const&) = delete;
  FakeDaxd& operator=(FakeDaxd const&) = delete;

  std::string socket() const { return path_.string(); }
  std::vector<RecordedRequest> const& requests() const { return requests_; }

 private:
  void serve(std::vector<CannedReply> replies);

  std::filesystem::path path_;
  int fd_ = -1;
  std::thread thread_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace daxd::cli::testing
