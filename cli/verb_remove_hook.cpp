// SPDX-License-Identifier: Apache-2.0
// `daxadm remove-hook ID`: DELETE /v1/hooks/ID; says on stderr whether it was there.
#include <memory>

#include "cli/verbs.h"

namespace daxd::cli {
namespace {

Result<void> run_remove_hook(Session& s, std::int64_t id) {
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const answer,
                        s.call("DELETE", "/v1/hooks/" + std::to_string(id)));
  if (answer.value("changed", false)) {
    s.err() << "removed hook " << id << "\n";
  } else {
    s.err() << "hook " << id << " already gone, unchanged\n";
  }
  return Ok();
}

}  // namespace

void add_remove_hook_verb(CLI::App& app, VerbAction& chosen) {
  auto id = std::make_shared<std::int64_t>(0);
  CLI::App* sub = app.add_subcommand("remove-hook", "remove a quiesce hook");
  sub->add_option("id", *id, "the hook's id (see daxadm hooks)")
      ->required()
      ->check(CLI::PositiveNumber);
  sub->callback([id, &chosen] { chosen = [id](Session& s) { return run_remove_hook(s, *id); }; });
}

}  // namespace daxd::cli
