// SPDX-License-Identifier: Apache-2.0
// Shared handling of the volume verbs (see volume_change.h).
#include "cli/volume_change.h"

#include <array>
#include <cmath>
#include <cstdio>

#include "cli/json_print.h"
#include "cli/list_format.h"
#include "cli/operation_format.h"
#include "daemon/model/size.h"

namespace daxd::cli {
namespace {

constexpr double kMaxDeadlineSeconds = 600;

bool unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

constexpr std::array<std::string_view, 6> kConsumerKeys = {"kind", "pid",      "command",
                                                           "path", "map_sync", "dax"};

}  // namespace

std::string percent_encode(std::string_view text) {
  std::string out;
  for (char const c : text) {
    if (unreserved(c)) {
      out += c;
      continue;
    }
    std::array<char, 4> buf{};
    std::snprintf(buf.data(), buf.size(), "%%%02X", static_cast<unsigned char>(c));
    out += buf.data();
  }
  return out;
}

Result<std::uint64_t> size_argument(std::string const& what, std::string const& text,
                                    bool allow_zero) {
  auto const size = parse_size(text, allow_zero);
  if (!size) {
    return Fail(Errc::invalid_argument,
                "invalid " + what + " '" + text + "': " + size.error().message);
  }
  return *size;
}

Result<nlohmann::json> extent_argument(std::string const& text, bool partial) {
  auto const first = text.find(':');
  auto const second = first == std::string::npos ? first : text.find(':', first + 1);
  bool const complete = second != std::string::npos;
  if (first == 0 || text.empty() || (complete && text.find(':', second + 1) != std::string::npos) ||
      (!complete && !partial)) {
    return Fail(Errc::invalid_argument, "invalid extent '" + text + "': expected NAMESPACE" +
                                            (partial ? "[:OFFSET[:SIZE]]" : ":OFFSET:SIZE"));
  }
  nlohmann::json extent{{"namespace", text.substr(0, first)}};
  if (first == std::string::npos) return extent;
  std::string const offset =
      complete ? text.substr(first + 1, second - first - 1) : text.substr(first + 1);
  DAXD_ASSIGN_OR_RETURN(extent["offset"],
                        size_argument("extent offset", offset, /*allow_zero=*/true));
  if (!complete) return extent;
  DAXD_ASSIGN_OR_RETURN(extent["length"], size_argument("extent size", text.substr(second + 1)));
  return extent;
}

std::string volume_path(std::string_view name, std::string_view tail) {
  std::string path = "/v1/volumes/" + percent_encode(name);
  if (!tail.empty()) path += "/" + std::string(tail);
  return path;
}

void add_quiesce_options(CLI::App& verb, QuiesceOptions& options,
                         std::vector<std::string> const& policies) {
  std::string choices;
  for (auto const& p : policies) choices += (choices.empty() ? "" : ", ") + p;
  verb.add_option("--policy", options.policy, "what to do with the volume's users: " + choices)
      ->check(CLI::IsMember(policies));
  verb.add_option("--deadline", options.deadline_s,
                  "seconds to wait for users to go (wait, terminate; default 5)")
      ->check(CLI::Range(0.0, kMaxDeadlineSeconds));
}

void put_quiesce_options(QuiesceOptions const& options, nlohmann::json& body) {
  if (!options.policy.empty()) body["policy"] = options.policy;
  if (options.deadline_s >= 0) {
    body["deadline_ms"] = static_cast<std::uint64_t>(std::llround(options.deadline_s * 1000));
  }
}

nlohmann::ordered_json volume_object(nlohmann::json const& volume, bool human_sizes) {
  ListSelection sel;
  sel.volumes = true;
  sel.human_sizes = human_sizes;
  ListData data;
  data.volumes = nlohmann::json::array({volume});
  nlohmann::ordered_json tree = build_list_tree(sel, data);
  if (tree.is_array() && tree.size() == 1) return tree.front();
  return tree;
}

nlohmann::ordered_json consumer_object(nlohmann::json const& consumer) {
  if (!consumer.is_object()) return nlohmann::ordered_json(consumer);
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (std::string_view const key : kConsumerKeys) {
    if (auto const it = consumer.find(key); it != consumer.end()) out[std::string(key)] = *it;
  }
  for (auto const& [key, value] : consumer.items()) {
    if (!out.contains(key)) out[key] = value;
  }
  return out;
}

nlohmann::ordered_json file_object(nlohmann::json const& file) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (char const* key : {"volume", "path", "dax_flag", "effective_dax"}) {
    if (auto const it = file.find(key); it != file.end()) out[key] = *it;
  }
  for (auto const& [key, value] : file.items()) {
    if (!out.contains(key)) out[key] = value;
  }
  return out;
}

void print_volume(Session& s, nlohmann::json const& answer, bool human_sizes) {
  if (auto const v = answer.find("volume"); v != answer.end() && v->is_object()) {
    s.out() << to_ndctl_json(volume_object(*v, human_sizes)) << "\n";
  }
}

bool handle_volume_pending(Session& s, nlohmann::json const& answer, ChangeOptions const& options,
                           std::string const& what, Result<void>& result) {
  auto const plan = answer.find("plan");
  if (answer.value("dry_run", false) && plan != answer.end()) {
    s.out() << to_ndctl_json(plan_object(*plan)) << "\n";
    s.err() << "would " << what << "\n";
    result = Ok();
    return true;
  }
  // Only the operation part is left: handle_pending words it without a noun.
  return handle_pending(s, answer, options, Verb{"", ""}, result);
}

}  // namespace daxd::cli
