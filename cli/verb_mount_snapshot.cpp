// SPDX-License-Identifier: Apache-2.0
// `daxadm mount-snapshot VOLUME NAME MOUNTPOINT` and `daxadm unmount-snapshot VOLUME NAME`:
// PATCH .../snapshots/NAME {mountpoint} (a read-only mount; "" unmounts).
#include <memory>

#include "cli/snapshot_change.h"
#include "cli/verbs.h"

namespace daxd::cli {
namespace {

struct MountSnapshotArgs {
  std::string volume;
  std::string name;
  std::string mountpoint;  // "" unmounts
  bool human_sizes = false;
  ChangeOptions change;
};

Result<void> run_mount(Session& s, MountSnapshotArgs const& a) {
  nlohmann::json const body{{"mountpoint", a.mountpoint}};
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const answer,
                        s.call("PATCH", snapshot_path(a.volume, a.name) + change_query(a.change),
                               body.dump(), change_timeout(a.change)));
  std::string const snapshot = "snapshot " + a.volume + "@" + a.name;
  SnapshotChange const words =
      a.mountpoint.empty()
          ? SnapshotChange{"unmount", "unmounted", snapshot + " is not mounted, unchanged"}
          : SnapshotChange{"mount", "mounted",
                           snapshot + " already mounted at " + a.mountpoint + ", unchanged"};
  Result<void> pending = Ok();
  if (handle_snapshot_pending(s, answer, a.change, words, pending)) return pending;
  print_snapshot(s, answer, a.human_sizes);
  say_snapshot_done(s, answer, words);
  return Ok();
}

CLI::App* add_mount_subcommand(CLI::App& app, std::string const& verb,
                               std::string const& description, MountSnapshotArgs& args) {
  CLI::App* sub = app.add_subcommand(verb, description);
  sub->add_option("volume", args.volume, "the volume's name")->required();
  sub->add_option("name", args.name, "the snapshot's name")->required();
  sub->add_flag("-u,--human-sizes", args.human_sizes, "use human friendly number formats");
  add_change_options(*sub, args.change);
  return sub;
}

}  // namespace

void add_mount_snapshot_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<MountSnapshotArgs>();
  CLI::App* sub = add_mount_subcommand(app, "mount-snapshot", "mount a snapshot read-only", *args);
  sub->add_option("mountpoint", args->mountpoint, "where to mount it (absolute)")
      ->required()
      ->check([](std::string const& p) {
        return p.empty() ? std::string("the mountpoint must not be empty") : std::string();
      });
  sub->callback([args, &chosen] { chosen = [args](Session& s) { return run_mount(s, *args); }; });
}

void add_unmount_snapshot_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<MountSnapshotArgs>();
  CLI::App* sub =
      add_mount_subcommand(app, "unmount-snapshot", "unmount a snapshot that daxd mounted", *args);
  sub->callback([args, &chosen] { chosen = [args](Session& s) { return run_mount(s, *args); }; });
}

}  // namespace daxd::cli
