// SPDX-License-Identifier: Apache-2.0
// `daxadm add-hook VOLUME NAME (--exec PATH [ARG..] | --http URL | --event) [--timeout S]`:
// POST /v1/hooks; prints the hook, and on stderr whether it was added.
#include <cmath>
#include <memory>

#include "cli/hook_format.h"
#include "cli/json_print.h"
#include "cli/verbs.h"

namespace daxd::cli {
namespace {

struct AddHookArgs {
  std::string volume;
  std::string name;
  std::vector<std::string> exec;
  std::string http;
  bool event = false;
  double timeout_s = 0;  // 0: daxd's default
};

Result<nlohmann::json> hook_body(AddHookArgs const& a) {
  int const kinds = (a.exec.empty() ? 0 : 1) + (a.http.empty() ? 0 : 1) + (a.event ? 1 : 0);
  if (kinds != 1) return Fail(Errc::invalid_argument, "give exactly one of --exec, --http, --event");
  nlohmann::json body{{"volume", a.volume}, {"name", a.name}};
  if (!a.exec.empty()) {
    body["kind"] = "exec";
    body["argv"] = a.exec;
  } else if (!a.http.empty()) {
    body["kind"] = "http";
    body["url"] = a.http;
  } else {
    body["kind"] = "event";
  }
  if (a.timeout_s > 0) body["timeout_ms"] = std::llround(a.timeout_s * 1000.0);
  return body;
}

Result<void> run_add_hook(Session& s, AddHookArgs const& a) {
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const body, hook_body(a));
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const answer, s.call("POST", "/v1/hooks", body.dump()));
  nlohmann::json const hook = answer.value("hook", nlohmann::json::object());
  s.out() << to_ndctl_json(hook_object(hook)) << "\n";
  std::string const id = std::to_string(hook.value("id", 0));
  if (answer.value("changed", true)) {
    s.err() << "added hook " << id << " '" << a.name << "' to volume " << a.volume << "\n";
  } else {
    s.err() << "hook " << id << " '" << a.name << "' of volume " << a.volume
            << " already registered, unchanged\n";
  }
  return Ok();
}

}  // namespace

void add_add_hook_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<AddHookArgs>();
  CLI::App* sub = app.add_subcommand(
      "add-hook", "register a quiesce hook on a volume (a program, an http callback or an event)");
  sub->add_option("volume", args->volume, "the volume")->required();
  sub->add_option("name", args->name, "the hook's name (unique per volume)")->required();
  sub->add_option("--exec", args->exec, "absolute path of a program and its arguments (no shell)")
      ->expected(1, -1);
  sub->add_option("--http", args->http,
                  "http://127.0.0.1:PORT/PATH, http://[::1]:PORT/PATH or unix:/SOCKET:/PATH");
  sub->add_flag("--event", args->event, "an event-stream subscriber that acknowledges");
  sub->add_option("--timeout", args->timeout_s, "seconds daxd waits for the hook (default 10)")
      ->check(CLI::Range(0.001, 600.0));
  sub->callback(
      [args, &chosen] { chosen = [args](Session& s) { return run_add_hook(s, *args); }; });
}

}  // namespace daxd::cli
