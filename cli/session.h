// SPDX-License-Identifier: Apache-2.0
// What a verb gets to work with: the API client, the global options and the output streams.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/client/client.h"
#include "cli/exit_codes.h"
#include "daemon/model/result.h"

namespace daxd::cli {

inline constexpr char kDefaultSocket[] = "/run/daxd/daxd.sock";

struct GlobalOptions {
  std::string socket = kDefaultSocket;
  bool human = false;  // tables instead of JSON
};

class Session {
 public:
  Session(api_client::Client& client, GlobalOptions options, std::ostream& out, std::ostream& err)
      : client_(client), options_(std::move(options)), out_(out), err_(err) {}

  /// Sends the request and parses a JSON answer. A status >= 400 becomes daxd's Error (origin
  /// daxd); transport errors keep the client's codes (origin client). Errors also: io_error when
  /// a success answer is not JSON.
  /// `timeout` replaces the client's default for this request (long polls with ?wait=).
  Result<nlohmann::json> call(std::string_view method, std::string_view target,
                              std::string_view body = {},
                              std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  Result<nlohmann::json> get(std::string_view target) { return call("GET", target); }

  /// Follows the event stream at `target`, calling `on_event` until it returns false or daxd
  /// ends the stream. Errors as call(); io_error (origin daxd) when the answer is no stream.
  Result<void> stream(std::string_view target, api_client::Client::Headers const& headers,
                      api_client::SseCallback const& on_event);

  /// An error a verb concludes from a successful answer of daxd (an operation that rolled
  /// back, or still runs): reported as daxd's, so it exits with kExitFailure.
  Error daxd_error(Errc code, std::string message) {
    last_origin_ = ErrorOrigin::daxd;
    return Error{code, std::move(message)};
  }

  /// Origin of the last error call() returned.
  ErrorOrigin last_error_origin() const { return last_origin_; }

  GlobalOptions const& options() const { return options_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

 private:
  api_client::Client& client_;
  GlobalOptions options_;
  std::ostream& out_;
  std::ostream& err_;
  ErrorOrigin last_origin_ = ErrorOrigin::client;
};

}  // namespace daxd::cli
