// SPDX-License-Identifier: Apache-2.0
// `daxadm destroy-namespace NAME`: DELETE /v1/namespaces/NAME; says so on stderr, as ndctl.
#include <memory>

#include "cli/namespace_change.h"
#include "cli/verbs.h"

namespace daxd::cli {
namespace {

struct DestroyArgs {
  std::string name;
  bool force = false;
  std::string policy;
  ChangeOptions change;
};

Result<void> run_destroy(Session& s, DestroyArgs const& a) {
  nlohmann::json body = nlohmann::json::object();
  if (a.force) body["force"] = true;
  if (!a.policy.empty()) body["policy"] = a.policy;
  DAXD_ASSIGN_OR_RETURN(
      nlohmann::json const answer,
      s.call("DELETE", namespace_path(a.name) + change_query(a.change),
             body.empty() ? std::string() : body.dump(), change_timeout(a.change)));
  Result<void> pending = Ok();
  if (handle_pending(s, answer, a.change, Verb{"destroy", "destroyed"}, pending)) return pending;
  if (!answer.value("changed", true)) {
    s.err() << "namespace " << a.name << " already gone, unchanged\n";
  } else {
    s.err() << "destroyed 1 namespace\n";
  }
  return Ok();
}

}  // namespace

void add_destroy_namespace_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<DestroyArgs>();
  CLI::App* sub =
      app.add_subcommand("destroy-namespace", "destroy a namespace (like ndctl destroy-namespace)");
  sub->add_option("name", args->name, "the namespace's name")->required();
  sub->add_flag("-f,--force", args->force, "destroy even when it is in use (see --policy)");
  sub->add_option("--policy", args->policy, "what to do with users: refuse or terminate")
      ->check(CLI::IsMember({"refuse", "terminate"}));
  add_change_options(*sub, args->change);
  sub->callback([args, &chosen] { chosen = [args](Session& s) { return run_destroy(s, *args); }; });
}

}  // namespace daxd::cli
