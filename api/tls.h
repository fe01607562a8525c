// SPDX-License-Identifier: Apache-2.0
// What TCP needs before it may listen: a TLS server context and the bearer token, both read
// from files the operator controls.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/ssl/context.hpp>

#include "daemon/model/result.h"

namespace daxd::api {

/// A TLS 1.2+ server context with the certificate chain and private key (PEM files).
/// Errors: invalid_argument (missing or unreadable file, key not matching the certificate).
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(std::string const& cert_file,
                                                                    std::string const& key_file);

/// The bearer token in `path`: a regular file owned by root or daxd's user, readable by its
/// owner only (mode 0600 or stricter), holding one line of at least 16 printable characters.
/// Errors: invalid_argument (saying which rule the file breaks), not_found.
Result<std::string> read_token_file(std::string const& path);

/// Whether an Authorization header carries `token` as a bearer token; constant time in the
/// token's length, so that the answer does not tell how much of a guess was right.
bool bearer_matches(std::string_view authorization, std::string_view token);

}  // namespace daxd::api
