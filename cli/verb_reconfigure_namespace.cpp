// SPDX-License-Identifier: Apache-2.0
// `daxadm reconfigure-namespace NAME -m MODE`: PATCH /v1/namespaces/NAME; prints the namespace.
#include <memory>

#include "cli/json_print.h"
#include "cli/list_format.h"
#include "cli/namespace_change.h"
#include "cli/verbs.h"

namespace daxd::cli {
namespace {

struct ReconfigureArgs {
  std::string name;
  std::string mode;
  bool force = false;
  std::string policy;
  bool human_sizes = false;
  ChangeOptions change;
};

Result<void> run_reconfigure(Session& s, ReconfigureArgs const& a) {
  nlohmann::json body = {{"mode", a.mode}};
  if (a.force) body["force"] = true;
  if (!a.policy.empty()) body["policy"] = a.policy;
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const answer,
                        s.call("PATCH", namespace_path(a.name) + change_query(a.change),
                               body.dump(), change_timeout(a.change)));
  Result<void> pending = Ok();
  if (handle_pending(s, answer, a.change, Verb{"reconfigure", "reconfigured"}, pending)) {
    return pending;
  }
  if (auto const ns = answer.find("namespace"); ns != answer.end() && ns->is_object()) {
    s.out() << to_ndctl_json(namespace_object(*ns, a.human_sizes)) << "\n";
  }
  if (!answer.value("changed", true)) {
    s.err() << "namespace " << a.name << " is already " << a.mode << ", unchanged\n";
  } else {
    s.err() << "reconfigured 1 namespace\n";
  }
  return Ok();
}

}  // namespace

void add_reconfigure_namespace_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<ReconfigureArgs>();
  CLI::App* sub = app.add_subcommand("reconfigure-namespace",
                                     "change a namespace's mode (like ndctl create-namespace -e)");
  sub->add_option("name", args->name, "the namespace's name")->required();
  sub->add_option("-m,--mode", args->mode, "the new mode: fsdax, devdax, sector or raw")
      ->required();
  sub->add_flag("-f,--force", args->force, "reconfigure even when it is in use (see --policy)");
  sub->add_option("--policy", args->policy, "what to do with users: refuse or terminate")
      ->check(CLI::IsMember({"refuse", "terminate"}));
  sub->add_flag("-u,--human-sizes", args->human_sizes, "use human friendly number formats");
  add_change_options(*sub, args->change);
  sub->callback(
      [args, &chosen] { chosen = [args](Session& s) { return run_reconfigure(s, *args); }; });
}

}  // namespace daxd::cli
