// SPDX-License-Identifier: Apache-2.0
// The HTTP call of an http quiesce hook: one POST to a unix socket or a loopback address.
#pragma once

#include <chrono>
#include <string>

#include "daemon/model/result.h"
#include "daemon/orchestrator/hooks.h"

namespace daxd::api {

/// POSTs `body` (application/json) to `url` and reads the answer, all within `timeout`; one
/// connection per call ("Connection: close"). Answers larger than 64 KiB are cut off as errors.
/// Errors: timeout, unavailable (cannot connect), io_error (broken connection, bad HTTP).
Result<orchestrator::HttpAnswer> call_http_hook(orchestrator::HookUrl const& url,
                                                std::string const& body,
                                                std::chrono::milliseconds timeout);

/// call_http_hook as the orchestrator's injected caller.
orchestrator::HttpHookCaller http_hook_caller();

}  // namespace daxd::api
