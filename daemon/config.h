// SPDX-License-Identifier: Apache-2.0
// daxd's settings: command-line flags, optionally read from a config file (INI/TOML).
#pragma once

#include <string>
#include <variant>

#include "daemon/model/result.h"

namespace daxd {

struct Config {
  std::string host = "linux";  // "linux" or "sim:FILE"
  std::string state_dir = "/var/lib/daxd";
  std::string socket = "/run/daxd/daxd.sock";
  std::string socket_mode = "0660";
  std::string socket_group = "daxd";  // "" keeps the socket's group
  std::string admin_group;            // members may change things; root always may
  std::string tcp_listen;             // "" = no TCP
  std::string tls_cert;               // TCP only: PEM certificate chain
  std::string tls_key;                // TCP only: PEM private key
  std::string token_file;             // TCP only: the bearer token clients present (0600)
  int threads = 2;
  int max_connections = 1024;  // open API connections; one more gets 503 and is closed
  int idle_timeout_s = 30;     // a connection silent this long between requests is closed
  int header_timeout_s = 10;   // the whole request header must arrive within this
  int body_timeout_s = 30;     // the whole request body must arrive within this
  bool check_config = false;  // parse, validate and exit
};

/// What the command line asked for: run with a config, or exit with a code (help, errors).
struct ExitRequest {
  int code = 0;
};

/// Parses argv (and the file named by --config). Prints help/errors itself.
std::variant<Config, ExitRequest> parse_config(int argc, char** argv);

}  // namespace daxd
