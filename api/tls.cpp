// SPDX-License-Identifier: Apache-2.0
// TLS context and bearer token file checks for the TCP listener.
#include "api/tls.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include <boost/asio/ssl.hpp>

namespace daxd::api {

namespace ssl = boost::asio::ssl;

namespace {

constexpr std::size_t kMinTokenLength = 16;

Result<void> require_readable(std::string const& what, std::string const& path) {
  if (path.empty()) return Fail(Errc::invalid_argument, what + " is not set");
  if (::access(path.c_str(), R_OK) != 0) return error_from_errno(errno, what + " " + path);
  return Ok();
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_tls_context(std::string const& cert_file,
                                                       std::string const& key_file) {
  DAXD_TRY(require_readable("tls certificate", cert_file));
  DAXD_TRY(require_readable("tls key", key_file));
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  boost::system::error_code ec;
  if (ctx->use_certificate_chain_file(cert_file, ec); ec) {
    return Fail(Errc::invalid_argument, "tls certificate " + cert_file + ": " + ec.message());
  }
  if (ctx->use_private_key_file(key_file, ssl::context::pem, ec); ec) {
    return Fail(Errc::invalid_argument, "tls key " + key_file + ": " + ec.message());
  }
  return ctx;
}

Result<std::string> read_token_file(std::string const& path) {
  if (path.empty()) return Fail(Errc::invalid_argument, "token file is not set");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return error_from_errno(errno, "token file " + path);
  if (!S_ISREG(st.st_mode)) {
    return Fail(Errc::invalid_argument, "token file " + path + ": not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    return Fail(Errc::invalid_argument,
                "token file " + path + ": readable by others (mode must be 0600 or stricter)");
  }
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
    return Fail(Errc::invalid_argument, "token file " + path + ": owned by uid " +
                                            std::to_string(st.st_uid) + ", not root or daxd");
  }
  std::ifstream in(path);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.size() < kMinTokenLength) {
    return Fail(Errc::invalid_argument, "token file " + path + ": the token needs at least " +
                                            std::to_string(kMinTokenLength) + " characters");
  }
  for (char const c : token) {
    if (c <= ' ' || c > '~') {
      return Fail(Errc::invalid_argument, "token file " + path + ": non-printable character");
    }
  }
  return token;
}

bool bearer_matches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kScheme = "Bearer ";
  if (token.empty() || authorization.size() != kScheme.size() + token.size()) return false;
  if (authorization.substr(0, kScheme.size()) != kScheme) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < token.size(); ++i) {
    diff |= static_cast<unsigned char>(authorization[kScheme.size() + i] ^ token[i]);
  }
  return diff == 0;
}

}  // namespace daxd::api
