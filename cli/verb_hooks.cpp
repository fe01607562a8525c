// SPDX-License-Identifier: Apache-2.0
// `daxadm hooks [VOLUME]`: GET /v1/hooks[?volume=], as a JSON array (nothing when none).
#include <memory>

#include "cli/hook_format.h"
#include "cli/json_print.h"
#include "cli/verbs.h"

namespace daxd::cli {
namespace {

Result<void> run_hooks(Session& s, std::string const& volume) {
  std::string target = "/v1/hooks";
  if (!volume.empty()) target += "?volume=" + volume;  // names need no escaping
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const answer, s.get(target));
  auto const hooks = answer.find("hooks");
  if (hooks == answer.end() || !hooks->is_array()) {
    return s.daxd_error(Errc::io_error, "daxd answered hooks that are not a list");
  }
  if (hooks->empty()) return Ok();  // like ndctl list: nothing matched, nothing printed
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (auto const& h : *hooks) out.push_back(hook_object(h));
  s.out() << to_ndctl_json(out) << "\n";
  return Ok();
}

}  // namespace

void add_hooks_verb(CLI::App& app, VerbAction& chosen) {
  auto volume = std::make_shared<std::string>();
  CLI::App* sub = app.add_subcommand("hooks", "list quiesce hooks (of one volume, or all)");
  sub->add_option("volume", *volume, "only this volume's hooks");
  sub->callback(
      [volume, &chosen] { chosen = [volume](Session& s) { return run_hooks(s, *volume); }; });
}

}  // namespace daxd::cli
