// SPDX-License-Identifier: Apache-2.0
// Argument parsing (CLI11 exceptions end here), session set-up and error reporting.
#include "cli/app.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "cli/exit_codes.h"
#include "cli/verbs.h"

namespace daxd::cli {
namespace {

std::string default_socket() {
  char const* env = std::getenv("DAXD_SOCKET");
  return env != nullptr && env[0] != '\0' ? std::string(env) : std::string(kDefaultSocket);
}

// The verb `args` names: the first argument that is not a global option or its value.
std::string_view named_verb(std::vector<std::string> const& args) {
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string_view const a = args[i];
    if (a == "--socket") {
      ++i;
    } else if (!a.starts_with("--socket=") && a != "--human") {
      return a;
    }
  }
  return {};
}

// Parses; returns the exit code to stop with, or -1 to go on.
int parse(CLI::App& app, std::vector<std::string> const& args, std::ostream& out,
          std::ostream& err) {
  std::vector<char const*> argv;
  for (auto const& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (CLI::ParseError const& e) {
    if (e.get_exit_code() == 0) {  // --help
      return app.exit(e, out, err);
    }
    err << "daxadm: " << e.what() << "\n"
        << "run 'daxadm --help' for usage\n";
    return kExitUsage;
  }
  return -1;
}

}  // namespace

std::string describe_blocker(Consumer const& c) {
  std::string text = "blocked by ";
  if (c.pid != 0) {
    text += "pid " + std::to_string(c.pid);
    if (!c.command.empty()) text += " (" + c.command + ")";
    text += ": ";
  } else if (!c.command.empty()) {
    text += c.command + ": ";
  }
  text += std::string(to_string(c.kind));
  if (!c.path.empty()) text += " " + c.path;
  if (c.map_sync) text += " (MAP_SYNC)";
  return text;
}

std::string format_error(Error const& error) {
  std::string text = "daxadm: " + error.message + "\n";
  for (Consumer const& c : error.blockers) text += "  " + describe_blocker(c) + "\n";
  if (!error.cause.empty()) text += "  also: " + error.cause + "\n";
  return text;
}

int run(std::vector<std::string> const& args, std::ostream& out, std::ostream& err) {
  GlobalOptions options;
  options.socket = default_socket();
  CLI::App app{"daxadm: manage persistent memory through daxd", "daxadm"};
  app.add_option(
      "--socket", options.socket,
      "daxd's unix socket (default: $DAXD_SOCKET or " + std::string(kDefaultSocket) + ")");
  app.add_flag("--human", options.human, "print tables instead of JSON");
  app.require_subcommand(1);
  app.fallthrough(true);  // global options may follow the verb
  VerbAction chosen;
  // Only the verb named is built when it is a known one: building all 23 verbs' options was
  // 2.1 of the 3.6 million instructions of a whole `daxadm list -RNu` (callgrind, 16 namespaces),
  // paid again by every process. Anything else (no verb, --help, a typo) builds every verb, so
  // the help and the errors are the same as before.
  std::string_view const verb = named_verb(args);
  bool const known =
      std::ranges::any_of(kVerbs, [&](NamedVerb const& v) { return v.name == verb; });
  for (NamedVerb const& v : kVerbs) {
    if (!known || v.name == verb) v.add(app, chosen);
  }

  if (int const code = parse(app, args, out, err); code >= 0) return code;
  if (!chosen) {
    err << "daxadm: no verb given\n";
    return kExitUsage;
  }
  api_client::Client client(options.socket);
  Session session(client, options, out, err);
  Result<void> const result = chosen(session);
  out.flush();
  if (result) return kExitSuccess;
  err << format_error(result.error());
  return exit_code_for(result.error().code, session.last_error_origin());
}

}  // namespace daxd::cli
