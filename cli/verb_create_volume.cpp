// SPDX-License-Identifier: Apache-2.0
// `daxadm create-volume NAME -n NS..`: POST /v1/volumes; prints the volume as `list -V` does.
#include <memory>

#include "cli/volume_change.h"
#include "cli/verbs.h"

namespace daxd::cli {
namespace {

struct CreateVolumeArgs {
  std::string name;
  std::vector<std::string> namespaces;
  std::vector<std::string> extents;  // NS:OFFSET:SIZE
  bool striped = false;
  std::string stripe_size;
  std::string size;
  std::string filesystem;
  std::string mountpoint;
  std::string dax;
  bool force = false;
  bool human_sizes = false;
  ChangeOptions change;
};

// Whole namespaces (-n) come first, then the explicit extents, in the order given.
Result<nlohmann::json> request_body(CreateVolumeArgs const& a) {
  nlohmann::json body = {{"name", a.name}, {"layout", a.striped ? "striped" : "linear"}};
  if (a.extents.empty()) {
    body["namespaces"] = a.namespaces;
  } else {
    nlohmann::json list = nlohmann::json::array();
    for (auto const& ns : a.namespaces) list.push_back(ns);
    for (auto const& text : a.extents) {
      DAXD_ASSIGN_OR_RETURN(auto extent, extent_argument(text));
      list.push_back(std::move(extent));
    }
    body["extents"] = std::move(list);
  }
  if (!a.stripe_size.empty()) {
    DAXD_ASSIGN_OR_RETURN(body["stripe_size"], size_argument("stripe size", a.stripe_size));
  }
  if (!a.size.empty()) {
    DAXD_ASSIGN_OR_RETURN(body["size"], size_argument("size", a.size));
  }
  if (!a.filesystem.empty()) body["filesystem"] = a.filesystem;
  if (!a.mountpoint.empty()) body["mountpoint"] = a.mountpoint;
  if (!a.dax.empty()) body["dax"] = a.dax;
  if (a.force) body["force"] = true;
  return body;
}

Result<void> run_create(Session& s, CreateVolumeArgs const& a) {
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const body, request_body(a));
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const answer,
                        s.call("POST", "/v1/volumes" + change_query(a.change), body.dump(),
                               change_timeout(a.change)));
  Result<void> pending = Ok();
  if (handle_volume_pending(s, answer, a.change, "create volume " + a.name, pending)) {
    return pending;
  }
  print_volume(s, answer, a.human_sizes);
  if (!answer.value("changed", true)) {
    s.err() << "volume " << a.name << " already exists, unchanged\n";
  } else {
    s.err() << "created volume " << a.name << "\n";
  }
  return Ok();
}

}  // namespace

void add_create_volume_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<CreateVolumeArgs>();
  CLI::App* sub = app.add_subcommand(
      "create-volume", "create a volume over fsdax namespaces, with a DAX filesystem on it");
  sub->add_option("name", args->name, "the volume's name (/dev/mapper/daxd-NAME)")->required();
  auto* ns = sub->add_option("-n,--namespace", args->namespaces,
                             "a whole fsdax namespace to use (repeat for more; in this order)");
  auto* ext = sub->add_option("--extent", args->extents,
                              "part of a namespace: NAMESPACE:OFFSET:SIZE (after the -n ones)");
  sub->add_flag("--striped", args->striped, "stripe across the namespaces (default: linear)");
  sub->add_option("--stripe-size", args->stripe_size, "the stripe size (default 2M)")
      ->needs("--striped");
  sub->add_option("-s,--size", args->size, "use only this many bytes of the namespaces");
  sub->add_option("-t,--type", args->filesystem, "filesystem: ext4 (default), xfs or none")
      ->check(CLI::IsMember({"ext4", "xfs", "none"}));
  sub->add_option("-m,--mountpoint", args->mountpoint, "where daxd mounts it");
  sub->add_option("--dax", args->dax, "mount option: always (default), never or inode")
      ->check(CLI::IsMember({"always", "never", "inode"}));
  sub->add_flag("-f,--force", args->force, "make a filesystem even over an existing one");
  sub->add_flag("-u,--human-sizes", args->human_sizes, "use human friendly number formats");
  add_change_options(*sub, args->change);
  sub->callback([args, ns, ext, &chosen] {
    if (ns->count() == 0 && ext->count() == 0) {
      throw CLI::RequiredError("create-volume needs -n NAMESPACE or --extent");
    }
    chosen = [args](Session& s) { return run_create(s, *args); };
  });
}

}  // namespace daxd::cli
