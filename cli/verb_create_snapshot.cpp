// SPDX-License-Identifier: Apache-2.0
// `daxadm create-snapshot VOLUME NAME -n NS.. | --extent NS[:OFFSET[:SIZE]]..`: POST
// /v1/volumes/VOLUME/snapshots; prints the snapshot as `list -S` does.
#include <memory>

#include "cli/snapshot_change.h"
#include "cli/verbs.h"

namespace daxd::cli {
namespace {

struct CreateSnapshotArgs {
  std::string volume;
  std::string name;
  std::string method;
  std::vector<std::string> namespaces;
  std::vector<std::string> extents;  // NS[:OFFSET[:SIZE]]
  std::string mountpoint;
  bool human_sizes = false;
  SnapshotQuiesce quiesce;
  ChangeOptions change;
};

// The store: whole namespaces (-n) first, then the explicit extents, in the order given.
Result<nlohmann::json> request_body(CreateSnapshotArgs const& a) {
  nlohmann::json body = {{"name", a.name}};
  if (!a.method.empty()) body["method"] = a.method;
  if (a.extents.empty()) {
    body["namespaces"] = a.namespaces;
  } else {
    nlohmann::json list = nlohmann::json::array();
    for (auto const& ns : a.namespaces) list.push_back(ns);
    for (auto const& text : a.extents) {
      DAXD_ASSIGN_OR_RETURN(auto extent, extent_argument(text, /*partial=*/true));
      list.push_back(std::move(extent));
    }
    body["extents"] = std::move(list);
  }
  if (!a.mountpoint.empty()) body["mountpoint"] = a.mountpoint;
  put_snapshot_quiesce(a.quiesce, body);
  return body;
}

Result<void> run_create(Session& s, CreateSnapshotArgs const& a) {
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const body, request_body(a));
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const answer,
                        s.call("POST", snapshot_path(a.volume) + change_query(a.change),
                               body.dump(), change_timeout(a.change)));
  SnapshotChange const words{"create", "created",
                             "snapshot " + a.volume + "@" + a.name + " already exists, unchanged"};
  Result<void> pending = Ok();
  if (handle_snapshot_pending(s, answer, a.change, words, pending)) return pending;
  print_snapshot(s, answer, a.human_sizes);
  say_snapshot_done(s, answer, words);
  return Ok();
}

}  // namespace

void add_create_snapshot_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<CreateSnapshotArgs>();
  CLI::App* sub = app.add_subcommand(
      "create-snapshot",
      "snapshot a volume into a store on fsdax namespaces: copy (the origin keeps DAX, the "
      "snapshot is a DAX volume of its own) or cow (DAX is suspended while it exists)");
  sub->add_option("volume", args->volume, "the volume's name")->required();
  sub->add_option("name", args->name, "the snapshot's name (/dev/mapper/daxd-VOLUME@NAME)")
      ->required();
  sub->add_option("-m,--method", args->method, "copy, cow or auto (default: auto, daxd says why)")
      ->check(CLI::IsMember({"copy", "cow", "auto"}));
  auto* ns = sub->add_option("-n,--namespace", args->namespaces,
                             "a whole fsdax namespace for the store (repeat for more)");
  auto* ext = sub->add_option("--extent", args->extents,
                              "part of a namespace for the store: NAMESPACE[:OFFSET[:SIZE]]");
  sub->add_option("--mountpoint", args->mountpoint, "mount the snapshot read-only there");
  sub->add_flag("-u,--human-sizes", args->human_sizes, "use human friendly number formats");
  add_snapshot_quiesce_options(*sub, args->quiesce);
  add_change_options(*sub, args->change);
  sub->callback([args, ns, ext, &chosen] {
    if (ns->count() == 0 && ext->count() == 0) {
      throw CLI::RequiredError("create-snapshot needs -n NAMESPACE or --extent for the store");
    }
    chosen = [args](Session& s) { return run_create(s, *args); };
  });
}

}  // namespace daxd::cli
