// SPDX-License-Identifier: Apache-2.0
// Flag parsing with CLI11; the same names work as keys in /etc/daxd/daxd.conf.
#include "daemon/config.h"

#include <CLI/CLI.hpp>

namespace daxd {

std::variant<Config, ExitRequest> parse_config(int argc, char** argv) {
  Config c;
  CLI::App app{"daxd: coordinated, crash-safe changes to persistent memory"};
  app.set_config("--config", "", "read settings from this file (INI/TOML keys = flag names)");
  app.add_option("--host", c.host, "host to manage: 'linux' or 'sim:FILE' (simulated pmem)")
      ->capture_default_str();
  app.add_option("--state-dir", c.state_dir, "directory for the SQLite state")
      ->capture_default_str();
  app.add_option("--socket", c.socket, "unix socket of the API ('' = none)")->capture_default_str();
  app.add_option("--socket-mode", c.socket_mode, "octal mode of the socket")->capture_default_str();
  app.add_option("--socket-group", c.socket_group, "group owning the socket ('' = unchanged)")
      ->capture_default_str();
  app.add_option("--admin-group", c.admin_group, "group whose members may change things");
  app.add_option("--tcp", c.tcp_listen,
                 "also listen on ADDRESS:PORT (off by default; needs --tls-cert, --tls-key and "
                 "--token-file)");
  app.add_option("--tls-cert", c.tls_cert, "PEM certificate chain for TCP");
  app.add_option("--tls-key", c.tls_key, "PEM private key for TCP");
  app.add_option("--token-file", c.token_file,
                 "file holding the bearer token TCP clients must send (mode 0600)");
  app.add_option("--threads", c.threads, "HTTP worker threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--max-connections", c.max_connections,
                 "open API connections at most; one more is answered 503 and closed")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app.add_option("--idle-timeout", c.idle_timeout_s,
                 "seconds a connection may stay silent between requests")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--header-timeout", c.header_timeout_s,
                 "seconds a client has to send a whole request header")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--body-timeout", c.body_timeout_s,
                 "seconds a client has to send a whole request body")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_flag("--check-config", c.check_config, "validate the settings and exit");
  try {
    app.parse(argc, argv);
  } catch (CLI::ParseError const& e) {
    return ExitRequest{app.exit(e) == 0 ? 0 : 2};
  }
  return c;
}

}  // namespace daxd
