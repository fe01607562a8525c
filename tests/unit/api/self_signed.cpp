// SPDX-License-Identifier: Apache-2.0
// Self-signed P-256 certificate for the TLS tests.
#include "tests/unit/api/self_signed.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace daxd::api::testing {
namespace {

void check(bool ok, char const* what) {
  if (ok) return;
  std::fprintf(stderr, "self-signed certificate: %s failed\n", what);
  std::abort();
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

CertFiles write_self_signed(std::string const& dir) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  check(key != nullptr, "EVP_EC_gen");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24L * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<unsigned char const*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");
  CertFiles files{dir + "/cert.pem", dir + "/key.pem"};
  File cf(std::fopen(files.cert.c_str(), "w"));
  check(cf && PEM_write_X509(cf.get(), cert.get()) == 1, "writing cert.pem");
  File kf(std::fopen(files.key.c_str(), "w"));
  check(kf && PEM_write_PrivateKey(kf.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "writing key.pem");
  return files;
}

}  // namespace daxd::api::testing
