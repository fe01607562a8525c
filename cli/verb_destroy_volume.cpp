// SPDX-License-Identifier: Apache-2.0
// `daxadm destroy-volume NAME`: DELETE /v1/volumes/NAME (unmount, remove the dm device, forget).
#include <memory>

#include "cli/verbs.h"
#include "cli/volume_change.h"

namespace daxd::cli {
namespace {

struct DestroyVolumeArgs {
  std::string name;
  QuiesceOptions quiesce;
  ChangeOptions change;
};

Result<void> run_destroy(Session& s, DestroyVolumeArgs const& a) {
  nlohmann::json body = nlohmann::json::object();
  put_quiesce_options(a.quiesce, body);
  DAXD_ASSIGN_OR_RETURN(
      nlohmann::json const answer,
      s.call("DELETE", volume_path(a.name) + change_query(a.change),
             body.empty() ? std::string() : body.dump(), change_timeout(a.change)));
  Result<void> pending = Ok();
  if (handle_volume_pending(s, answer, a.change, "destroy volume " + a.name, pending)) {
    return pending;
  }
  if (!answer.value("changed", true)) {
    s.err() << "volume " << a.name << " already gone, unchanged\n";
  } else {
    s.err() << "destroyed volume " << a.name << "\n";
  }
  return Ok();
}

}  // namespace

void add_destroy_volume_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<DestroyVolumeArgs>();
  CLI::App* sub = app.add_subcommand(
      "destroy-volume", "unmount a volume and remove its dm device (the data stay on the "
                        "namespaces until they are reused)");
  sub->add_option("name", args->name, "the volume's name")->required();
  add_quiesce_options(*sub, args->quiesce, {"refuse", "wait", "terminate"});
  add_change_options(*sub, args->change);
  sub->callback([args, &chosen] { chosen = [args](Session& s) { return run_destroy(s, *args); }; });
}

}  // namespace daxd::cli
