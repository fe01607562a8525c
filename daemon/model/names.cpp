// SPDX-License-Identifier: Apache-2.0
// Name rules are strict because names become dm device names, label names and file paths.
#include "daemon/model/names.h"

#include <array>
#include <string>

namespace daxd {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

Result<void> validate_name(std::string_view what, std::string_view name) {
  auto const bad = [&](std::string_view why) {
    return Fail(Errc::invalid_argument,
                std::string(what) + " name '" + std::string(name) + "' " + std::string(why));
  };
  if (name.empty()) return Fail(Errc::invalid_argument, std::string(what) + " name is empty");
  if (name.size() > 63) return bad("is longer than 63 characters");
  if (!is_alnum(name.front())) return bad("must start with a letter or digit");
  for (char const c : name) {
    if (!is_name_char(c)) return bad("may only contain letters, digits, '_', '.' and '-'");
  }
  return Ok();
}

Result<void> validate_kernel_name(std::string_view prefix, std::string_view name) {
  auto const bad = [&] {
    return Fail(Errc::invalid_argument,
                "'" + std::string(name) + "' is not a " + std::string(prefix) + " device name");
  };
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return bad();
  bool seen_digit = false;
  bool seen_dot = false;
  for (char const c : name.substr(prefix.size())) {
    if (c >= '0' && c <= '9') {
      seen_digit = true;
      continue;
    }
    if (c == '.' && seen_digit && !seen_dot) {
      seen_dot = true;
      seen_digit = false;
      continue;
    }
    return bad();
  }
  if (!seen_digit) return bad();
  return Ok();
}

Result<void> validate_mountpoint(std::string_view path) {
  auto const bad = [&](std::string_view why) {
    return Fail(Errc::invalid_argument,
                "mountpoint '" + std::string(path) + "' " + std::string(why));
  };
  if (path.empty() || path.front() != '/') return bad("must be an absolute path");
  if (path == "/") return bad("must not be the root directory");
  if (path.size() > 4095) return bad("is too long");
  if (path.back() == '/') return bad("must not end with '/'");
  std::size_t pos = 1;
  while (pos <= path.size()) {
    auto const next = path.find('/', pos);
    auto const comp = path.substr(pos, next == std::string_view::npos ? path.npos : next - pos);
    if (comp.empty()) return bad("must not contain '//'");
    if (comp == "." || comp == "..") return bad("must not contain '.' or '..'");
    for (char const c : comp) {
      if (static_cast<unsigned char>(c) < 0x20) return bad("must not contain control characters");
    }
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  static constexpr std::array<std::string_view, 4> kForbidden = {"/proc", "/sys", "/dev",
                                                                 "/run/daxd"};
  for (auto const f : kForbidden) {
    if (path == f ||
        (path.size() > f.size() && path.substr(0, f.size()) == f && path[f.size()] == '/')) {
      return bad("must not be under " + std::string(f));
    }
  }
  return Ok();
}

}  // namespace daxd
