// SPDX-License-Identifier: Apache-2.0
// `daxadm create-namespace`: POST /v1/namespaces; prints the namespace as ndctl does.
#include <memory>

#include "cli/json_print.h"
#include "cli/list_format.h"
#include "cli/namespace_change.h"
#include "cli/verbs.h"
#include "daemon/model/size.h"

namespace daxd::cli {
namespace {

struct CreateArgs {
  std::string region;
  std::string size;
  std::string mode;
  std::string name;
  std::string align;
  bool human_sizes = false;
  ChangeOptions change;
};

// Sizes are checked here so that a typo is a usage error (2) and daxd gets plain bytes.
Result<nlohmann::json> request_body(CreateArgs const& a) {
  nlohmann::json body = {{"name", a.name}, {"region", a.region}};
  auto const size = parse_size(a.size);
  if (!size)
    return Fail(Errc::invalid_argument, "invalid size '" + a.size + "': " + size.error().message);
  body["size"] = *size;
  if (!a.mode.empty()) body["mode"] = a.mode;
  if (!a.align.empty()) {
    auto const align = parse_size(a.align);
    if (!align)
      return Fail(Errc::invalid_argument,
                  "invalid align '" + a.align + "': " + align.error().message);
    body["align"] = *align;
  }
  return body;
}

Result<void> run_create(Session& s, CreateArgs const& a) {
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const body, request_body(a));
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const answer,
                        s.call("POST", "/v1/namespaces" + change_query(a.change), body.dump(),
                               change_timeout(a.change)));
  Result<void> pending = Ok();
  if (handle_pending(s, answer, a.change, Verb{"create", "created"}, pending)) return pending;
  if (auto const ns = answer.find("namespace"); ns != answer.end() && ns->is_object()) {
    s.out() << to_ndctl_json(namespace_object(*ns, a.human_sizes)) << "\n";
  }
  if (!answer.value("changed", true)) {
    s.err() << "namespace " << a.name << " already exists, unchanged\n";
  } else {
    s.err() << "created 1 namespace\n";
  }
  return Ok();
}

}  // namespace

void add_create_namespace_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<CreateArgs>();
  CLI::App* sub = app.add_subcommand(
      "create-namespace", "create a namespace in a region (like ndctl create-namespace)");
  sub->add_option("-r,--region", args->region, "the region to create it in (regionN)")->required();
  sub->add_option("-s,--size", args->size, "its size in bytes, or with a K/M/G/T suffix")
      ->required();
  sub->add_option("-n,--name", args->name, "its name (daxd addresses namespaces by name)")
      ->required();
  sub->add_option("-m,--mode", args->mode, "fsdax (default), devdax, sector or raw");
  sub->add_option("-a,--align", args->align, "its alignment (K/M/G suffix allowed)");
  sub->add_flag("-u,--human-sizes", args->human_sizes, "use human friendly number formats");
  add_change_options(*sub, args->change);
  sub->callback([args, &chosen] { chosen = [args](Session& s) { return run_create(s, *args); }; });
}

}  // namespace daxd::cli
