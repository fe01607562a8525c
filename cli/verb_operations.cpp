// SPDX-License-Identifier: Apache-2.0
// `daxadm operations`: GET /v1/operations, newest first, as JSON (or a table with --human).
#include <memory>

#include "cli/json_print.h"
#include "cli/operation_format.h"
#include "cli/verbs.h"

namespace daxd::cli {
namespace {

Result<void> run_operations(Session& s, int limit) {
  std::string target = "/v1/operations";
  if (limit > 0) target += "?limit=" + std::to_string(limit);
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const ops, s.get(target));
  if (!ops.is_array())
    return s.daxd_error(Errc::io_error, "daxd answered a list that is not an array");
  if (s.options().human) {
    s.out() << render_operations_table(ops);
    return Ok();
  }
  if (ops.empty()) return Ok();  // like ndctl list: nothing matched, nothing printed
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (auto const& op : ops) out.push_back(operation_object(op));
  s.out() << to_ndctl_json(out) << "\n";
  return Ok();
}

}  // namespace

void add_operations_verb(CLI::App& app, VerbAction& chosen) {
  auto limit = std::make_shared<int>(0);
  CLI::App* sub = app.add_subcommand("operations", "list daxd's operations, newest first");
  sub->add_option("-l,--limit", *limit, "show at most this many")->check(CLI::PositiveNumber);
  sub->callback(
      [limit, &chosen] { chosen = [limit](Session& s) { return run_operations(s, *limit); }; });
}

}  // namespace daxd::cli
