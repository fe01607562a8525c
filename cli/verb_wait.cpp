// SPDX-License-Identifier: Apache-2.0
// `daxadm wait ID`: GET /v1/operations/ID?wait=SECONDS; succeeds only for a completed operation.
#include <memory>

#include "cli/json_print.h"
#include "cli/namespace_change.h"
#include "cli/operation_format.h"
#include "cli/verbs.h"

namespace daxd::cli {
namespace {

struct WaitArgs {
  std::string id;
  int seconds = kDefaultWaitSeconds;
};

constexpr std::chrono::seconds kTransportMargin{30};

bool is_operation_id(std::string const& id) {
  return !id.empty() && id.size() < 19 && id.find_first_not_of("0123456789") == std::string::npos;
}

Result<void> run_wait(Session& s, WaitArgs const& a) {
  if (!is_operation_id(a.id)) {
    return Fail(Errc::invalid_argument, "invalid operation id '" + a.id + "'");
  }
  DAXD_ASSIGN_OR_RETURN(
      nlohmann::json const op,
      s.call("GET", "/v1/operations/" + a.id + "?wait=" + std::to_string(a.seconds), {},
             std::chrono::seconds(a.seconds) + kTransportMargin));
  s.out() << to_ndctl_json(operation_object(op)) << "\n";
  std::string const state = op.value("state", "");
  if (state == "completed") return Ok();
  if (!operation_is_final(op)) {
    return s.daxd_error(Errc::timeout, "operation " + a.id + " is still " + state + " after " +
                                           std::to_string(a.seconds) + " s");
  }
  std::string const why = op.contains("error") && op["error"].is_string()
                              ? ": " + op["error"].get<std::string>()
                              : std::string();
  return s.daxd_error(Errc::internal, "operation " + a.id + " " + state + why);
}

}  // namespace

void add_wait_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<WaitArgs>();
  CLI::App* sub =
      app.add_subcommand("wait", "wait for an operation to finish; fails unless it completed");
  sub->add_option("id", args->id, "the operation's id")->required();
  sub->add_option("-t,--timeout", args->seconds, "seconds to wait at most (default 300)")
      ->check(CLI::Range(0, 3600));
  sub->callback([args, &chosen] { chosen = [args](Session& s) { return run_wait(s, *args); }; });
}

}  // namespace daxd::cli
