// SPDX-License-Identifier: Apache-2.0
// What the snapshot verbs share: paths, quiesce options (--deadline-ms too), printing a
// snapshot the way `daxadm list -S` does, and the stderr summary of a finished change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/namespace_change.h"
#include "cli/session.h"
#include "cli/volume_change.h"

namespace daxd::cli {

/// "/v1/volumes/VOLUME/snapshots" (+ "/NAME" when given, + "/" + `tail`), percent-encoded.
std::string snapshot_path(std::string_view volume, std::string_view name = {},
                          std::string_view tail = {});

/// --policy, --deadline SECONDS and (the contract's) --deadline-ms N, excluding each other.
struct SnapshotQuiesce {
  QuiesceOptions quiesce;
  std::int64_t deadline_ms = -1;  // < 0 = not given
};
void add_snapshot_quiesce_options(CLI::App& verb, SnapshotQuiesce& options);
/// Adds "policy" and "deadline_ms" to `body` when they were given.
void put_snapshot_quiesce(SnapshotQuiesce const& options, nlohmann::json& body);

/// A snapshot in the key order and shape of `daxadm list -S` (sizes human with `human_sizes`).
nlohmann::ordered_json snapshot_object(nlohmann::json const& snapshot, bool human_sizes = false);

/// Prints the answer's "snapshot" (if any) as snapshot_object.
void print_snapshot(Session& s, nlohmann::json const& answer, bool human_sizes = false);

/// The words of a snapshot verb's summary: "create" / "created" -> "created 1 snapshot".
struct SnapshotChange {
  std::string_view present;  // "create"
  std::string_view past;     // "created"
  std::string unchanged;     // said instead when daxd answers changed=false
};

/// As handle_volume_pending: a dry run prints the plan and "would <present> 1 snapshot" (with
/// the method auto chose and why, and the stop to expect, when daxd says); an unfinished
/// operation is printed and is an error unless --no-wait. Returns false for a finished answer
/// the verb prints itself (then say_snapshot_done).
bool handle_snapshot_pending(Session& s, nlohmann::json const& answer, ChangeOptions const& options,
                             SnapshotChange const& words, Result<void>& result);

/// The summary of a finished change on stderr: "<past> 1 snapshot", or `unchanged` when daxd
/// answered changed=false.
void say_snapshot_done(Session& s, nlohmann::json const& answer, SnapshotChange const& words);

}  // namespace daxd::cli
