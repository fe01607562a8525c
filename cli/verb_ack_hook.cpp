// SPDX-License-Identifier: Apache-2.0
// `daxadm ack-hook ID --operation N [--phase quiesce|resume]`: an event hook's answer to a
// quiesce-request event (POST /v1/hooks/ID/ack).
#include <memory>

#include "cli/verbs.h"

namespace daxd::cli {
namespace {

struct AckArgs {
  std::int64_t id = 0;
  std::int64_t operation = 0;
  std::string phase = "quiesce";
};

Result<void> run_ack(Session& s, AckArgs const& a) {
  nlohmann::json const body{{"operation", a.operation}, {"phase", a.phase}};
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const answer,
                        s.call("POST", "/v1/hooks/" + std::to_string(a.id) + "/ack", body.dump()));
  (void)answer;
  s.err() << "acknowledged " << a.phase << " of operation " << a.operation << " for hook "
          << a.id << "\n";
  return Ok();
}

}  // namespace

void add_ack_hook_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<AckArgs>();
  CLI::App* sub =
      app.add_subcommand("ack-hook", "acknowledge a quiesce-request event for an event hook");
  sub->add_option("id", args->id, "the hook's id")->required()->check(CLI::PositiveNumber);
  sub->add_option("--operation", args->operation, "the operation that asked (event data)")
      ->required()
      ->check(CLI::PositiveNumber);
  sub->add_option("--phase", args->phase, "quiesce (default) or resume")
      ->check(CLI::IsMember({"quiesce", "resume"}));
  sub->callback([args, &chosen] { chosen = [args](Session& s) { return run_ack(s, *args); }; });
}

}  // namespace daxd::cli
