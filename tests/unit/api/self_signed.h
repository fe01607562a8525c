// SPDX-License-Identifier: Apache-2.0
// A throwaway self-signed certificate for TLS tests, made with OpenSSL's API (no openssl CLI).
#pragma once

#include <string>

namespace daxd::api::testing {

struct CertFiles {
  std::string cert;  // PEM certificate, CN=localhost
  std::string key;   // PEM private key (P-256)
};

/// Writes cert.pem and key.pem into `dir`; aborts the test process when OpenSSL fails.
CertFiles write_self_signed(std::string const& dir);

}  // namespace daxd::api::testing
