// SPDX-License-Identifier: Apache-2.0
// `daxadm destroy-snapshot VOLUME NAME` (DELETE .../snapshots/NAME) and `daxadm
// restore-snapshot VOLUME NAME` (POST .../snapshots/NAME/restore: the volume gets the
// snapshot's content back and the snapshot is consumed; prints the volume as `list -V` does).
#include <memory>

#include "cli/snapshot_change.h"
#include "cli/verbs.h"

namespace daxd::cli {
namespace {

struct SnapshotArgs {
  std::string volume;
  std::string name;
  bool human_sizes = false;
  SnapshotQuiesce quiesce;
  ChangeOptions change;
};

Result<void> run_destroy(Session& s, SnapshotArgs const& a) {
  nlohmann::json body = nlohmann::json::object();
  put_snapshot_quiesce(a.quiesce, body);
  DAXD_ASSIGN_OR_RETURN(
      nlohmann::json const answer,
      s.call("DELETE", snapshot_path(a.volume, a.name) + change_query(a.change),
             body.empty() ? std::string() : body.dump(), change_timeout(a.change)));
  SnapshotChange const words{"destroy", "destroyed",
                             "snapshot " + a.volume + "@" + a.name + " already gone, unchanged"};
  Result<void> pending = Ok();
  if (handle_snapshot_pending(s, answer, a.change, words, pending)) return pending;
  say_snapshot_done(s, answer, words);
  return Ok();
}

Result<void> run_restore(Session& s, SnapshotArgs const& a) {
  nlohmann::json body = nlohmann::json::object();
  put_snapshot_quiesce(a.quiesce, body);
  DAXD_ASSIGN_OR_RETURN(
      nlohmann::json const answer,
      s.call("POST", snapshot_path(a.volume, a.name, "restore") + change_query(a.change),
             body.dump(), change_timeout(a.change)));
  SnapshotChange const words{
      "restore", "restored",
      "volume " + a.volume + " already has snapshot " + a.name + "'s content, unchanged"};
  Result<void> pending = Ok();
  if (handle_snapshot_pending(s, answer, a.change, words, pending)) return pending;
  print_volume(s, answer, a.human_sizes);
  say_snapshot_done(s, answer, words);
  return Ok();
}

CLI::App* add_snapshot_subcommand(CLI::App& app, std::string const& verb,
                                  std::string const& description, SnapshotArgs& args) {
  CLI::App* sub = app.add_subcommand(verb, description);
  sub->add_option("volume", args.volume, "the volume's name")->required();
  sub->add_option("name", args.name, "the snapshot's name")->required();
  add_snapshot_quiesce_options(*sub, args.quiesce);
  add_change_options(*sub, args.change);
  return sub;
}

}  // namespace

void add_destroy_snapshot_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<SnapshotArgs>();
  CLI::App* sub = add_snapshot_subcommand(
      app, "destroy-snapshot",
      "unmount a snapshot, remove its dm devices and release its store (the last cow snapshot "
      "of a volume brings its DAX back)",
      *args);
  sub->callback([args, &chosen] { chosen = [args](Session& s) { return run_destroy(s, *args); }; });
}

void add_restore_snapshot_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<SnapshotArgs>();
  CLI::App* sub = add_snapshot_subcommand(
      app, "restore-snapshot",
      "give a volume its snapshot's content back (cow: merge; copy: swap in the copy); the "
      "snapshot is consumed",
      *args);
  sub->add_flag("-u,--human-sizes", args->human_sizes, "use human friendly number formats");
  sub->callback([args, &chosen] { chosen = [args](Session& s) { return run_restore(s, *args); }; });
}

}  // namespace daxd::cli
