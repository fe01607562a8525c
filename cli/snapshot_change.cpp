// SPDX-License-Identifier: Apache-2.0
// Shared handling of the snapshot verbs (see snapshot_change.h).
#include "cli/snapshot_change.h"

#include "cli/json_print.h"
#include "cli/list_format.h"

namespace daxd::cli {

namespace {

constexpr std::int64_t kMaxDeadlineMs = 600000;

}  // namespace

std::string snapshot_path(std::string_view volume, std::string_view name, std::string_view tail) {
  std::string path = volume_path(volume, "snapshots");
  if (!name.empty()) path += "/" + percent_encode(name);
  if (!tail.empty()) path += "/" + std::string(tail);
  return path;
}

void add_snapshot_quiesce_options(CLI::App& verb, SnapshotQuiesce& options) {
  add_quiesce_options(verb, options.quiesce, {"refuse", "wait", "terminate"});
  verb.add_option("--deadline-ms", options.deadline_ms,
                  "milliseconds to wait for users to go (instead of --deadline)")
      ->check(CLI::Range(std::int64_t{0}, kMaxDeadlineMs))
      ->excludes(verb.get_option("--deadline"));
}

void put_snapshot_quiesce(SnapshotQuiesce const& options, nlohmann::json& body) {
  put_quiesce_options(options.quiesce, body);
  if (options.deadline_ms >= 0) body["deadline_ms"] = options.deadline_ms;
}

nlohmann::ordered_json snapshot_object(nlohmann::json const& snapshot, bool human_sizes) {
  ListSelection sel;
  sel.snapshots = true;
  sel.human_sizes = human_sizes;
  ListData data;
  data.snapshots = nlohmann::json::array({snapshot});
  nlohmann::ordered_json tree = build_list_tree(sel, data);
  if (tree.is_array() && tree.size() == 1) return tree.front();
  return tree;
}

void print_snapshot(Session& s, nlohmann::json const& answer, bool human_sizes) {
  if (auto const snap = answer.find("snapshot"); snap != answer.end() && snap->is_object()) {
    s.out() << to_ndctl_json(snapshot_object(*snap, human_sizes)) << "\n";
  }
}

bool handle_snapshot_pending(Session& s, nlohmann::json const& answer, ChangeOptions const& options,
                             SnapshotChange const& words, Result<void>& result) {
  std::string const what = std::string(words.present) + " 1 snapshot";
  if (!handle_volume_pending(s, answer, options, what, result)) return false;
  if (!answer.value("dry_run", false)) return true;
  // What auto decided, and what the stop will cost: the point of a dry run of a snapshot.
  if (auto const method = answer.find("method"); method != answer.end() && method->is_string()) {
    s.err() << "method " << method->get<std::string>();
    if (auto const why = answer.find("method_reason"); why != answer.end() && why->is_string()) {
      s.err() << ": " << why->get<std::string>();
    }
    s.err() << "\n";
  }
  if (auto const ms = answer.find("expected_stop_ms"); ms != answer.end() && ms->is_number()) {
    s.err() << "expected stop " << ms->dump() << " ms\n";
  }
  return true;
}

void say_snapshot_done(Session& s, nlohmann::json const& answer, SnapshotChange const& words) {
  if (!answer.value("changed", true)) {
    s.err() << words.unchanged << "\n";
  } else {
    s.err() << words.past << " 1 snapshot\n";
  }
}

}  // namespace daxd::cli
