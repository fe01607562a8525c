// SPDX-License-Identifier: Apache-2.0
// What create-, destroy- and reconfigure-namespace share: --dry-run/--wait/--no-wait, the
// request's query and timeout, and turning daxd's answer into output and an outcome.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/session.h"

namespace daxd::cli {

inline constexpr int kDefaultWaitSeconds = 300;

struct ChangeOptions {
  bool dry_run = false;
  bool no_wait = false;
  int wait_seconds = kDefaultWaitSeconds;
};

/// Adds --dry-run, --wait SECONDS (0..3600) and --no-wait (excluding --wait) to `verb`.
void add_change_options(CLI::App& verb, ChangeOptions& options);

/// "?dry_run=true" or "?wait=N" (N = 0 with --no-wait), then `extra` ("&force=true"...).
std::string change_query(ChangeOptions const& options, std::string const& extra = {});

/// How long the request may take: the wait plus a margin for daxd's own work.
std::chrono::milliseconds change_timeout(ChangeOptions const& options);

/// "/v1/namespaces/NAME" with NAME percent-encoded where it needs to be.
std::string namespace_path(std::string_view name);

/// The words of the stderr summary: "create" -> "would create 1 namespace" / "created ...".
struct Verb {
  std::string_view present;  // "create"
  std::string_view past;     // "created"
};

/// The parts of an answer every change verb handles the same way. Returns true when it handled
/// the answer: a dry run with a plan (printed, "would <verb> 1 namespace"), or an operation that
/// has not finished (printed; Ok with --no-wait, else an error naming `daxadm wait ID`); `result`
/// then holds the outcome. Returns false for a finished answer the verb prints itself.
bool handle_pending(Session& s, nlohmann::json const& answer, ChangeOptions const& options,
                    Verb verb, Result<void>& result);

}  // namespace daxd::cli
