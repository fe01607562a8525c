// SPDX-License-Identifier: Apache-2.0
// `daxadm events`: follows GET /v1/events and prints one JSON object per event and line.
#include <memory>

#include "cli/operation_format.h"
#include "cli/verbs.h"

namespace daxd::cli {
namespace {

struct EventsArgs {
  std::string since;
  std::string type;
  int count = 0;  // 0: until daxd stops or daxadm is interrupted
};

std::string events_target(EventsArgs const& a) {
  std::string query;
  if (!a.since.empty()) query += "&since=" + a.since;
  if (!a.type.empty()) query += "&type=" + a.type;
  if (!query.empty()) query[0] = '?';
  return "/v1/events" + query;
}

Result<void> run_events(Session& s, EventsArgs const& a) {
  if (!a.since.empty() && a.since.find_first_not_of("0123456789") != std::string::npos) {
    return Fail(Errc::invalid_argument, "invalid event id '" + a.since + "'");
  }
  int seen = 0;
  // Flushing per event: a script reading the pipe must see each event as it happens.
  return s.stream(events_target(a), {}, [&](api_client::SseEvent const& event) {
    s.out() << event_line(event) << "\n";
    s.out().flush();
    ++seen;
    return a.count == 0 || seen < a.count;
  });
}

}  // namespace

void add_events_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<EventsArgs>();
  CLI::App* sub = app.add_subcommand("events", "follow daxd's events, one JSON object per line");
  sub->add_option("--since", args->since, "first replay the stored events after this id");
  sub->add_option("--type", args->type, "only events of this type (e.g. operation)")
      ->check(CLI::Validator(
          [](std::string& t) {
            bool const ok = !t.empty() && t.find_first_not_of("abcdefghijklmnopqrstuvwxyz-_") ==
                                              std::string::npos;
            return ok ? std::string() : "'" + t + "' is not an event type";
          },
          "TYPE"));
  sub->add_option("-c,--count", args->count, "stop after this many events")
      ->check(CLI::NonNegativeNumber);
  sub->callback([args, &chosen] { chosen = [args](Session& s) { return run_events(s, *args); }; });
}

}  // namespace daxd::cli
