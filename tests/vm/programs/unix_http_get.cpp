// SPDX-License-Identifier: Apache-2.0
// Guest helper: GET one path from an HTTP server on a unix socket and print status line and body.
// Usage: unix_http_get SOCKET PATH     Exit: 0 for a 2xx status, 1 otherwise, 2 on usage/IO error.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

// Owns the socket descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd const&) = delete;
  Fd& operator=(Fd const&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

bool write_all(int fd, std::string const& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t const n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) return std::fprintf(stderr, "usage: unix_http_get SOCKET PATH\n"), 2;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (std::strlen(argv[1]) >= sizeof(addr.sun_path))
    return std::fprintf(stderr, "socket path too long\n"), 2;
  std::strncpy(addr.sun_path, argv[1], sizeof(addr.sun_path) - 1);
  Fd sock(::socket(AF_UNIX, SOCK_STREAM, 0));
  if (sock.get() < 0 ||
      ::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return std::perror(argv[1]), 2;
  }
  // HTTP/1.0 with Connection: close: the server ends the body by closing.
  std::string const request =
      std::string("GET ") + argv[2] + " HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n";
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
