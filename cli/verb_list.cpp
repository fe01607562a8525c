// SPDX-License-Identifier: Apache-2.0
// `daxadm list`: ndctl list's flags and output rules over GET /v1/regions, /v1/namespaces,
// /v1/volumes and /v1/volumes/{name}/snapshots.
#include <memory>

#include "cli/list_format.h"
#include "cli/volume_change.h"
#include "cli/verbs.h"

namespace daxd::cli {
namespace {

Result<ListData> fetch(Session& s, ListSelection const& sel) {
  ListData data;
  if (sel.regions) {
    DAXD_ASSIGN_OR_RETURN(data.regions, s.get("/v1/regions"));
  }
  // -R -n needs the namespaces too: ndctl lists only regions holding a matching namespace.
  if (sel.namespaces || (sel.regions && !sel.name.empty())) {
    DAXD_ASSIGN_OR_RETURN(data.namespaces, s.get("/v1/namespaces"));
  }
  if (sel.volumes || sel.snapshots) {
    DAXD_ASSIGN_OR_RETURN(data.volumes, s.get("/v1/volumes"));
  }
  if (sel.snapshots && data.volumes.is_array()) {
    for (auto const& volume : data.volumes) {
      std::string const name = volume.value("name", "");
      DAXD_ASSIGN_OR_RETURN(auto snaps, s.get(volume_path(name, "snapshots")));
      if (!snaps.is_array()) continue;
      for (auto& snap : snaps) {
        if (snap.is_object() && !snap.contains("volume")) snap["volume"] = name;
        data.snapshots.push_back(std::move(snap));
      }
    }
  }
  for (auto* list : {&data.regions, &data.namespaces, &data.volumes}) {
    if (!list->is_array()) return Fail(Errc::io_error, "daxd answered a list that is not an array");
  }
  return data;
}

Result<void> run_list(Session& s, ListSelection const& flags) {
  ListSelection const sel = with_defaults(flags);
  DAXD_ASSIGN_OR_RETURN(ListData const data, fetch(s, sel));
  // Like ndctl, an empty result prints nothing and succeeds.
  s.out() << (s.options().human ? render_list_tables(sel, data) : render_list_json(sel, data));
  return Ok();
}

}  // namespace

void add_list_verb(CLI::App& app, VerbAction& chosen) {
  auto sel = std::make_shared<ListSelection>();
  CLI::App* sub = app.add_subcommand(
      "list", "list regions, namespaces, volumes and snapshots as JSON (like ndctl list)");
  sub->add_flag("-R,--regions", sel->regions, "include region info");
  sub->add_flag("-N,--namespaces", sel->namespaces, "include namespace info (default)");
  sub->add_flag("-V,--volumes", sel->volumes, "include volume info");
  sub->add_flag("-S,--snapshots", sel->snapshots, "include snapshot info");
  sub->add_flag("-i,--idle", sel->idle, "include disabled regions and namespaces");
  sub->add_flag("-u,--human-sizes", sel->human_sizes, "use human friendly number formats");
  sub->add_flag("-v,--verbose", sel->verbose, "include numa_node and target_node");
  sub->add_option("-r,--region", sel->region, "filter by region (regionN, N or all)");
  sub->add_option("-n,--namespace", sel->name, "filter by namespace (namespaceX.Y, X.Y or all)");
  sub->callback([sel, &chosen] { chosen = [sel](Session& s) { return run_list(s, *sel); }; });
}

}  // namespace daxd::cli
