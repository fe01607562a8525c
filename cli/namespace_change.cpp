// SPDX-License-Identifier: Apache-2.0
// Shared handling of daxd's answers to namespace changes (see namespace_change.h).
#include "cli/namespace_change.h"

#include <array>
#include <cstdio>

#include "cli/json_print.h"
#include "cli/operation_format.h"

namespace daxd::cli {
namespace {

constexpr int kMaxWaitSeconds = 3600;
constexpr std::chrono::seconds kTransportMargin{30};

bool unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

}  // namespace

void add_change_options(CLI::App& verb, ChangeOptions& options) {
  verb.add_flag("--dry-run", options.dry_run, "show the plan without changing anything");
  CLI::Option* wait = verb.add_option("--wait", options.wait_seconds,
                                      "seconds to wait for the operation to finish (default 300)")
                          ->check(CLI::Range(0, kMaxWaitSeconds));
  verb.add_flag("--no-wait", options.no_wait, "return as soon as daxd accepted the operation")
      ->excludes(wait);
}

std::string change_query(ChangeOptions const& options, std::string const& extra) {
  std::string query = options.dry_run
                          ? "?dry_run=true"
                          : "?wait=" + std::to_string(options.no_wait ? 0 : options.wait_seconds);
  return query + extra;
}

std::chrono::milliseconds change_timeout(ChangeOptions const& options) {
  int const wait = options.dry_run || options.no_wait ? 0 : options.wait_seconds;
  return std::chrono::seconds(wait) + kTransportMargin;
}

std::string namespace_path(std::string_view name) {
  std::string path = "/v1/namespaces/";
  for (char const c : name) {
    if (unreserved(c)) {
      path += c;
      continue;
    }
    std::array<char, 4> buf{};
    std::snprintf(buf.data(), buf.size(), "%%%02X", static_cast<unsigned char>(c));
    path += buf.data();
  }
  return path;
}

bool handle_pending(Session& s, nlohmann::json const& answer, ChangeOptions const& options,
                    Verb verb, Result<void>& result) {
  // A dry run against a namespace that is already as asked carries no plan: the verb says so.
  auto const plan = answer.find("plan");
  if (answer.value("dry_run", false) && plan != answer.end()) {
    s.out() << to_ndctl_json(plan_object(*plan)) << "\n";
    s.err() << "would " << verb.present << " 1 namespace\n";
    result = Ok();
    return true;
  }
  auto const op = answer.find("operation");
  if (op == answer.end() || !op->is_object() || operation_is_final(*op)) return false;
  s.out() << to_ndctl_json(operation_object(*op)) << "\n";
  std::string const id = operation_id(*op);
  if (options.no_wait) {
    s.err() << "submitted operation " << id << " (daxadm wait " << id << ")\n";
    result = Ok();
  } else {
    result = s.daxd_error(Errc::timeout, "operation " + id + " did not finish within " +
                                             std::to_string(options.wait_seconds) +
                                             " s; follow it with 'daxadm wait " + id + "'");
  }
  return true;
}

}  // namespace daxd::cli
