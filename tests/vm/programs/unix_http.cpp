// SPDX-License-Identifier: Apache-2.0
// Guest helper: one HTTP request of any method, with an optional JSON body, to a server on a
// unix socket (daxd); prints the status line and the body. Complements unix_http_get.
//
// Usage: unix_http SOCKET METHOD PATH [BODY | @FILE]
//   BODY is sent as application/json; @FILE sends the file's contents, @- reads stdin.
// Exit: 0 for a 2xx status, 1 for another status, 2 on usage or I/O error.
#include <sys/socket.h>
#include <sys/un.h>

#include <iostream>
#include <iterator>
#include <fstream>
#include <string>

#include "tests/vm/programs/guest_util.h"

namespace {

bool write_all(int fd, std::string const& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t const n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool load_body(std::string const& arg, std::string& body) {
  if (arg.empty() || arg[0] != '@') {
    body = arg;
    return true;
  }
  std::string const path = arg.substr(1);
  if (path == "-") {
    body.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

int connect_unix(char const* path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (std::strlen(path) >= sizeof(addr.sun_path)) return -1;
  std::strncpy(addr.sun_path, path, sizeof(addr.sun_path) - 1);
  int const fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    return std::fprintf(stderr, "usage: unix_http SOCKET METHOD PATH [BODY | @FILE]\n"), 2;
  }
  std::string body;
  if (argc == 5 && !load_body(argv[4], body)) return std::perror(argv[4] + 1), 2;
  daxd::vm::Fd sock(connect_unix(argv[1]));
  if (!sock.valid()) return std::perror(argv[1]), 2;
  // HTTP/1.0 with Connection: close: the server ends the response by closing.
  std::string request = std::string(argv[2]) + " " + argv[3] +
                        " HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n";
  if (argc == 5) {
    request += "Content-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  if (!write_all(sock.get(), request)) return std::perror("write"), 2;
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = ::read(sock.get(), buf, sizeof buf)) > 0;)
    response.append(buf, static_cast<std::size_t>(n));
  auto const head_end = response.find("\r\n\r\n");
  auto const line_end = response.find("\r\n");
  if (head_end == std::string::npos) return std::fprintf(stderr, "no HTTP response\n"), 2;
  std::printf("%s\n%s\n", response.substr(0, line_end).c_str(),
              response.substr(head_end + 4).c_str());
  bool const ok = response.size() > 12 && response[9] == '2';  // "HTTP/1.1 2xx"
  return ok ? 0 : 1;
}
