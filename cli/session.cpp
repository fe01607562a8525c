// SPDX-License-Identifier: Apache-2.0
// Session::call: one place that turns HTTP answers into values or daxd's errors.
#include "cli/session.h"

#include "api/client/problem.h"

namespace daxd::cli {

Result<nlohmann::json> Session::call(std::string_view method, std::string_view target,
                                     std::string_view body,
                                     std::optional<std::chrono::milliseconds> timeout) {
  last_origin_ = ErrorOrigin::client;
  auto response = client_.request(method, target, body, "application/json", timeout);
  if (!response) return std::move(response).error();
  if (response->status >= 400) {
    last_origin_ = ErrorOrigin::daxd;
    return api_client::error_from_response(*response);
  }
  if (response->body.empty()) return nlohmann::json(nullptr);
  auto doc = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    last_origin_ = ErrorOrigin::daxd;  // daxd answered, just not usefully
    return Fail(Errc::io_error, std::string(method) + " " + std::string(target) +
                                    ": daxd answered with invalid json");
  }
  return doc;
}

Result<void> Session::stream(std::string_view target, api_client::Client::Headers const& headers,
                             api_client::SseCallback const& on_event) {
  last_origin_ = ErrorOrigin::client;
  auto response = client_.stream(target, headers, on_event);
  if (!response) return std::move(response).error();
  if (response->status >= 400) {
    last_origin_ = ErrorOrigin::daxd;
    return api_client::error_from_response(*response);
  }
  if (!response->body.empty() || response->content_type.rfind("text/event-stream", 0) != 0) {
    last_origin_ = ErrorOrigin::daxd;
    return Fail(Errc::io_error, "GET " + std::string(target) +
                                    ": daxd answered without an event stream (" +
                                    response->content_type + ")");
  }
  return Ok();
}

}  // namespace daxd::cli
