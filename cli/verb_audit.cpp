// SPDX-License-Identifier: Apache-2.0
// `daxadm audit`: GET /v1/audit, the mutating requests daxd was sent, newest first, as JSON
// (or a table with --human).
#include <memory>
#include <string>

#include "cli/json_print.h"
#include "cli/table.h"
#include "cli/verbs.h"

namespace daxd::cli {
namespace {

struct AuditArgs {
  int limit = 0;
  int offset = 0;
  long long since = 0;
};

std::string text_of(nlohmann::json const& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string peer_text(nlohmann::json const& peer) {
  if (peer.value("transport", "") != "unix") return "tcp";
  return "uid " + text_of(peer.value("uid", nlohmann::json())) + " pid " +
         text_of(peer.value("pid", nlohmann::json()));
}

std::string render_audit_table(nlohmann::json const& rows) {
  Table t({"ID", "TIME", "PEER", "METHOD", "PATH", "STATUS", "RESULT", "OPERATION"});
  for (auto const& r : rows) {
    t.add_row(
        {text_of(r.value("id", nlohmann::json())), text_of(r.value("time", nlohmann::json())),
         peer_text(r.value("peer", nlohmann::json::object())),
         text_of(r.value("method", nlohmann::json())), text_of(r.value("path", nlohmann::json())),
         text_of(r.value("status", nlohmann::json())), text_of(r.value("result", nlohmann::json())),
         text_of(r.value("operation", nlohmann::json()))});
  }
  return t.render();
}

/// One entry with its keys in reading order (the answer's object is unordered).
nlohmann::ordered_json audit_object(nlohmann::json const& r) {
  nlohmann::ordered_json o;
  for (auto const* key :
       {"id", "time", "peer", "method", "path", "status", "result", "operation", "body_excerpt"}) {
    if (!r.contains(key)) continue;
    o[key] = nlohmann::ordered_json::parse(r.at(key).dump());
  }
  return o;
}

Result<void> run_audit(Session& s, AuditArgs const& args) {
  std::string query;
  auto add = [&query](std::string const& key, long long value) {
    query += (query.empty() ? "?" : "&") + key + "=" + std::to_string(value);
  };
  if (args.limit > 0) add("limit", args.limit);
  if (args.offset > 0) add("offset", args.offset);
  if (args.since > 0) add("since", args.since);
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const rows, s.get("/v1/audit" + query));
  if (!rows.is_array()) {
    return s.daxd_error(Errc::io_error, "daxd answered an audit log that is not an array");
  }
  if (s.options().human) {
    s.out() << render_audit_table(rows);
    return Ok();
  }
  if (rows.empty()) return Ok();  // like ndctl list: nothing matched, nothing printed
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (auto const& r : rows) out.push_back(audit_object(r));
  s.out() << to_ndctl_json(out) << "\n";
  return Ok();
}

}  // namespace

void add_audit_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<AuditArgs>();
  CLI::App* sub = app.add_subcommand(
      "audit", "list the mutating requests daxd was sent (peer, result, operation), newest first");
  sub->add_option("-l,--limit", args->limit, "show at most this many (daxd's default: 50)")
      ->check(CLI::Range(1, 1000));
  sub->add_option("--offset", args->offset, "skip this many of the newest")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--since", args->since, "only entries with an id above this one")
      ->check(CLI::NonNegativeNumber);
  sub->callback([args, &chosen] { chosen = [args](Session& s) { return run_audit(s, *args); }; });
}

}  // namespace daxd::cli
