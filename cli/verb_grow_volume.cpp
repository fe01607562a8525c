// SPDX-License-Identifier: Apache-2.0
// `daxadm grow-volume NAME -n NS..`: POST /v1/volumes/NAME/grow; prints the grown volume.
#include <memory>

#include "cli/verbs.h"
#include "cli/volume_change.h"

namespace daxd::cli {
namespace {

struct GrowVolumeArgs {
  std::string name;
  std::vector<std::string> namespaces;
  bool human_sizes = false;
  ChangeOptions change;
};

Result<void> run_grow(Session& s, GrowVolumeArgs const& a) {
  nlohmann::json const body = {{"namespaces", a.namespaces}};
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const answer,
                        s.call("POST", volume_path(a.name, "grow") + change_query(a.change),
                               body.dump(), change_timeout(a.change)));
  Result<void> pending = Ok();
  if (handle_volume_pending(s, answer, a.change, "grow volume " + a.name, pending)) {
    return pending;
  }
  print_volume(s, answer, a.human_sizes);
  s.err() << "grew volume " << a.name << " (the filesystem is not grown)\n";
  return Ok();
}

}  // namespace

void add_grow_volume_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<GrowVolumeArgs>();
  CLI::App* sub =
      app.add_subcommand("grow-volume", "append whole fsdax namespaces to a linear volume");
  sub->add_option("name", args->name, "the volume's name")->required();
  sub->add_option("-n,--namespace", args->namespaces, "a namespace to append (repeat for more)")
      ->required();
  sub->add_flag("-u,--human-sizes", args->human_sizes, "use human friendly number formats");
  add_change_options(*sub, args->change);
  sub->callback([args, &chosen] { chosen = [args](Session& s) { return run_grow(s, *args); }; });
}

}  // namespace daxd::cli
