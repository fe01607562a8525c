// SPDX-License-Identifier: Apache-2.0
// `daxadm consumers (VOLUME | --namespace NS)`: GET /v1/consumers, scanned fresh by daxd: who
// uses the volume or namespace now (mounts, dm tables, processes with fds, mappings, cwd).
#include <memory>

#include "cli/json_print.h"
#include "cli/table.h"
#include "cli/verbs.h"
#include "cli/volume_change.h"

namespace daxd::cli {
namespace {

struct ConsumersArgs {
  std::string volume;
  std::string namespace_name;
};

std::string text_of(nlohmann::json const& c, char const* key) {
  auto const it = c.find(key);
  if (it == c.end() || it->is_null()) return "-";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::string render_table(nlohmann::json const& consumers) {
  Table table({"KIND", "PID", "COMMAND", "PATH", "MAP_SYNC"});
  for (auto const& c : consumers) {
    table.add_row({text_of(c, "kind"), text_of(c, "pid"), text_of(c, "command"),
                   text_of(c, "path"), c.value("map_sync", false) ? "yes" : "no"});
  }
  return table.render();
}

Result<void> run_consumers(Session& s, ConsumersArgs const& a) {
  std::string const target = a.namespace_name.empty()
                                 ? "/v1/consumers?volume=" + percent_encode(a.volume)
                                 : "/v1/consumers?namespace=" + percent_encode(a.namespace_name);
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const answer, s.get(target));
  // ?volume= answers {"volume", "consumers"}; ?namespace= answers the list itself.
  nlohmann::json const list = answer.is_object() ? answer.value("consumers", nlohmann::json())
                                                 : answer;
  if (!list.is_array()) {
    return s.daxd_error(Errc::io_error, "daxd answered consumers that are not a list");
  }
  if (s.options().human) {
    s.out() << render_table(list);
  } else {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (auto const& c : list) out.push_back(consumer_object(c));
    s.out() << to_ndctl_json(out) << "\n";
  }
  std::string const what =
      a.namespace_name.empty() ? "volume " + a.volume : "namespace " + a.namespace_name;
  s.err() << what << ": " << list.size() << (list.size() == 1 ? " consumer\n" : " consumers\n");
  return Ok();
}

}  // namespace

void add_consumers_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<ConsumersArgs>();
  CLI::App* sub = app.add_subcommand(
      "consumers", "who uses a volume or a namespace now: mounts, dm tables and processes");
  auto* volume = sub->add_option("volume", args->volume, "the volume's name");
  auto* ns = sub->add_option("--namespace", args->namespace_name, "a namespace instead")
                 ->excludes(volume);
  sub->callback([args, volume, ns, &chosen] {
    if (volume->count() == 0 && ns->count() == 0) {
      throw CLI::RequiredError("consumers needs a VOLUME or --namespace NS");
    }
    chosen = [args](Session& s) { return run_consumers(s, *args); };
  });
}

}  // namespace daxd::cli
