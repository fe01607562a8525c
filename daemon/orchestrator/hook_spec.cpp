// SPDX-License-Identifier: Apache-2.0
// Hook validation is strict because an exec hook runs with daxd's (root's) rights and an http
// hook must not become a way to make daxd talk to other machines.
#include "daemon/orchestrator/hook_spec.h"

#include <charconv>
#include <set>

#include "daemon/model/names.h"

namespace daxd::orchestrator {
namespace {

using nlohmann::json;

Result<void> bad(std::string msg) { return Fail(Errc::invalid_argument, std::move(msg)); }

bool is_loopback_v4(std::string const& host) {
  unsigned parts[4] = {};
  char const* p = host.data();
  char const* const end = host.data() + host.size();
  for (int i = 0; i < 4; ++i) {
    auto const [next, ec] = std::from_chars(p, end, parts[i]);
    if (ec != std::errc{} || parts[i] > 255 || next == p) return false;
    p = next;
    if (i < 3) {
      if (p == end || *p != '.') return false;
      ++p;
    }
  }
  return p == end && parts[0] == 127;
}

Result<HookUrl> parse_unix_url(std::string const& url) {
  HookUrl out;
  std::string const rest = url.substr(5);  // after "unix:"
  auto const split = rest.find(":/");
  out.socket_path = split == std::string::npos ? rest : rest.substr(0, split);
  if (split != std::string::npos) out.target = rest.substr(split + 1);
  if (out.socket_path.empty() || out.socket_path[0] != '/') {
    return Fail(Errc::invalid_argument, "hook url '" + url + "': the socket path must be absolute");
  }
  if (out.socket_path.size() >= 108) {
    return Fail(Errc::invalid_argument, "hook url '" + url + "': the socket path is too long");
  }
  if (out.socket_path.find("/../") != std::string::npos) {
    return Fail(Errc::invalid_argument, "hook url '" + url + "': no '..' in the socket path");
  }
  return out;
}

// http://HOST[:PORT][/target] with HOST a 127.x.y.z literal or [::1].
Result<HookUrl> parse_http_url(std::string const& url) {
  HookUrl out;
  std::string const rest = url.substr(7);  // after "http://"
  auto const slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) out.target = rest.substr(slash);
  std::string port;
  if (authority.rfind("[", 0) == 0) {
    auto const close = authority.find(']');
    if (close == std::string::npos) return Fail(Errc::invalid_argument, "hook url '" + url + "': unclosed '['");
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return Fail(Errc::invalid_argument, "hook url '" + url + "': bad port");
      port = authority.substr(close + 2);
    }
    if (out.host != "::1") {
      return Fail(Errc::invalid_argument,
                  "hook url '" + url + "': only loopback addresses ([::1], 127.0.0.1) are allowed");
    }
  } else {
    auto const colon = authority.find(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
    if (!is_loopback_v4(out.host)) {
      return Fail(Errc::invalid_argument,
                  "hook url '" + url + "': only loopback addresses (127.0.0.1, [::1]) are allowed");
    }
  }
  if (!port.empty() || authority.find(':') != std::string::npos) {
    unsigned value = 0;
    auto const [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
      return Fail(Errc::invalid_argument, "hook url '" + url + "': bad port '" + port + "'");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

Result<std::chrono::milliseconds> parse_timeout(json const& body) {
  auto const it = body.find("timeout_ms");
  if (it == body.end() || it->is_null()) return std::chrono::milliseconds(kDefaultHookTimeoutMs);
  if (!it->is_number_integer() || it->get<std::int64_t>() < 1 ||
      it->get<std::int64_t>() > kMaxHookTimeoutMs) {
    return Fail(Errc::invalid_argument, "'timeout_ms' must be 1 to 600000 milliseconds");
  }
  return std::chrono::milliseconds(it->get<std::int64_t>());
}

Result<std::string> required_string(json const& body, char const* key) {
  auto const it = body.find(key);
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
    return Fail(Errc::invalid_argument, std::string("'") + key + "' must be a non-empty string");
  }
  return it->get<std::string>();
}

Result<std::vector<std::string>> parse_argv(json const& body) {
  auto const it = body.find("argv");
  if (it == body.end() || !it->is_array() || it->empty()) {
    return Fail(Errc::invalid_argument, "an exec hook needs 'argv': [absolute path, args...]");
  }
  std::vector<std::string> argv;
  for (auto const& a : *it) {
    if (!a.is_string()) return Fail(Errc::invalid_argument, "'argv' must hold strings only");
    argv.push_back(a.get<std::string>());
  }
  if (argv[0].empty() || argv[0][0] != '/') {
    return Fail(Errc::invalid_argument,
                "'argv[0]' must be an absolute path (hooks run without a shell or PATH)");
  }
  return argv;
}

Result<void> check_keys(json const& body, HookKind kind) {
  std::set<std::string> allowed{"volume", "name", "kind", "timeout_ms"};
  switch (kind) {
    case HookKind::exec:
      allowed.insert("argv");
      break;
    case HookKind::http:
      allowed.insert("url");
      break;
    case HookKind::event:
      break;
  }
  for (auto const& [key, value] : body.items()) {
    if (allowed.count(key) == 0) {
      return bad("'" + key + "' does not apply to a " + std::string(to_string(kind)) + " hook");
    }
  }
  return Ok();
}

}  // namespace

std::string_view to_string(HookKind k) {
  switch (k) {
    case HookKind::exec:
      return "exec";
    case HookKind::http:
      return "http";
    case HookKind::event:
      return "event";
  }
  return "event";
}

std::string_view to_string(HookPhase p) {
  switch (p) {
    case HookPhase::quiesce:
      return "quiesce";
    case HookPhase::resume:
      return "resume";
  }
  return "quiesce";
}

Result<HookKind> parse_hook_kind(std::string_view text) {
  if (text == "exec") return HookKind::exec;
  if (text == "http") return HookKind::http;
  if (text == "event") return HookKind::event;
  return Fail(Errc::invalid_argument, "'kind' must be \"exec\", \"http\" or \"event\"");
}

Result<HookPhase> parse_hook_phase(std::string_view text) {
  if (text == "quiesce") return HookPhase::quiesce;
  if (text == "resume") return HookPhase::resume;
  return Fail(Errc::invalid_argument, "'phase' must be \"quiesce\" or \"resume\"");
}

Result<HookUrl> parse_hook_url(std::string const& url) {
  if (url.rfind("unix:", 0) == 0) return parse_unix_url(url);
  if (url.rfind("http://", 0) == 0) return parse_http_url(url);
  return Fail(Errc::invalid_argument,
              "hook url '" + url + "': must start with http:// (loopback) or unix:");
}

Result<HookSpec> parse_hook_request(json const& body) {
  if (!body.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  HookSpec h;
  DAXD_ASSIGN_OR_RETURN(h.volume, required_string(body, "volume"));
  DAXD_ASSIGN_OR_RETURN(h.name, required_string(body, "name"));
  DAXD_TRY(validate_name("hook", h.name));
  DAXD_ASSIGN_OR_RETURN(std::string const kind, required_string(body, "kind"));
  DAXD_ASSIGN_OR_RETURN(h.kind, parse_hook_kind(kind));
  DAXD_TRY(check_keys(body, h.kind));
  DAXD_ASSIGN_OR_RETURN(h.timeout, parse_timeout(body));
  switch (h.kind) {
    case HookKind::exec: {
      DAXD_ASSIGN_OR_RETURN(h.argv, parse_argv(body));
      break;
    }
    case HookKind::http: {
      DAXD_ASSIGN_OR_RETURN(h.url, required_string(body, "url"));
      DAXD_TRY(parse_hook_url(h.url));
      break;
    }
    case HookKind::event:
      break;
  }
  return h;
}

Result<void> check_hook_program(host::Programs& programs, std::string const& path) {
  if (path.empty() || path[0] != '/') return bad("hook program '" + path + "': not an absolute path");
  auto const file = programs.inspect(path);
  if (!file) return bad("hook program '" + path + "': " + file.error().message);
  if (!file->regular) return bad("hook program '" + path + "': not a regular file");
  if ((file->mode & 0111) == 0) return bad("hook program '" + path + "': not executable");
  if ((file->mode & 0002) != 0) {
    return bad("hook program '" + path + "': writable by others (chmod o-w)");
  }
  std::uint32_t const euid = programs.effective_uid();
  if (file->uid != 0 && file->uid != euid) {
    return bad("hook program '" + path + "': owned by uid " + std::to_string(file->uid) +
               ", must be owned by root or uid " + std::to_string(euid));
  }
  return Ok();
}

json hook_json(HookSpec const& h) {
  json out{{"id", h.id}, {"volume", h.volume}, {"name", h.name}, {"kind", to_string(h.kind)}};
  switch (h.kind) {
    case HookKind::exec:
      out["argv"] = h.argv;
      break;
    case HookKind::http:
      out["url"] = h.url;
      break;
    case HookKind::event:
      break;
  }
  out["timeout_ms"] = h.timeout.count();
  return out;
}

std::string hook_spec_text(HookSpec const& h) {
  json out = hook_json(h);
  out.erase("id");
  out.erase("volume");
  out.erase("kind");
  return out.dump();
}

Result<HookSpec> hook_from_record(std::int64_t id, std::string const& volume,
                                  std::string const& kind, std::string const& spec_json) {
  json body = json::parse(spec_json, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    return Fail(Errc::internal, "hook " + std::to_string(id) + ": unreadable stored spec");
  }
  body["volume"] = volume;
  body["kind"] = kind;
  auto parsed = parse_hook_request(body);
  if (!parsed) {
    return Fail(Errc::internal,
                "hook " + std::to_string(id) + ": stored spec is invalid: " + parsed.error().message);
  }
  parsed->id = id;
  return parsed;
}

}  // namespace daxd::orchestrator
