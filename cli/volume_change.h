// SPDX-License-Identifier: Apache-2.0
// What the volume verbs share: paths, quiesce options, printing a volume or consumers the way
// `daxadm list -V` does, and daxd's answers to volume changes (dry runs, unfinished operations).
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/namespace_change.h"
#include "cli/session.h"

namespace daxd::cli {

/// "/v1/volumes/NAME" (+ "/" + `tail` when given), NAME percent-encoded where it needs to be.
std::string volume_path(std::string_view name, std::string_view tail = {});

/// `text` percent-encoded for a query value or a path segment (RFC 3986 unreserved kept).
std::string percent_encode(std::string_view text);

/// A size argument in bytes or with a suffix ("64M"). Errors: invalid_argument naming `what`.
Result<std::uint64_t> size_argument(std::string const& what, std::string const& text,
                                    bool allow_zero = false);

/// "NS:OFFSET:SIZE" -> {namespace, offset, length} in bytes. With `partial`, "NS" (the whole
/// namespace: {namespace}) and "NS:OFFSET" (the rest of it: {namespace, offset}) as well.
/// Errors: invalid_argument.
Result<nlohmann::json> extent_argument(std::string const& text, bool partial = false);

/// --policy and --deadline SECONDS of the verbs that stop the volume's users.
struct QuiesceOptions {
  std::string policy;     // "" = daxd's default (refuse)
  double deadline_s = -1;  // < 0 = daxd's default
};

/// Adds --policy (one of `policies`) and --deadline SECONDS (0..600) to `verb`.
void add_quiesce_options(CLI::App& verb, QuiesceOptions& options,
                         std::vector<std::string> const& policies);

/// Adds "policy" and "deadline_ms" to `body` when they were given.
void put_quiesce_options(QuiesceOptions const& options, nlohmann::json& body);

/// A volume in the key order and shape of `daxadm list -V` (sizes human with `human_sizes`).
nlohmann::ordered_json volume_object(nlohmann::json const& volume, bool human_sizes = false);

/// A consumer in daxd's key order: kind, pid, command, path, map_sync, dax; unknown keys last.
nlohmann::ordered_json consumer_object(nlohmann::json const& consumer);

/// A file's DAX state {volume, path, dax_flag, effective_dax} in that key order, others last.
nlohmann::ordered_json file_object(nlohmann::json const& file);

/// Prints the answer's "volume" (if any) as volume_object.
void print_volume(Session& s, nlohmann::json const& answer, bool human_sizes = false);

/// As handle_pending, for a volume: a dry run prints the plan and says "would <what>" on stderr
/// (`what` = "create volume db"); an unfinished operation is printed and, unless --no-wait, is
/// an error naming `daxadm wait ID`. Returns false for a finished answer the verb prints itself.
bool handle_volume_pending(Session& s, nlohmann::json const& answer, ChangeOptions const& options,
                           std::string const& what, Result<void>& result);

}  // namespace daxd::cli
