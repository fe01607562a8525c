// SPDX-License-Identifier: Apache-2.0
// Namespace operations. Steps find namespaces by label name, never by kernel dev name: dev names
// are reassigned across reboots and a crash can fall between the kernel's change and the journal.
#include "daemon/orchestrator/namespace_ops.h"

#include <csignal>

#include "daemon/model/json.h"
#include "daemon/model/names.h"
#include "daemon/model/size.h"
#include "daemon/orchestrator/consumers.h"

namespace daxd::orchestrator {
namespace {

using nlohmann::json;

Result<std::optional<Namespace>> lookup(host::Host& host, std::string const& name) {
  DAXD_ASSIGN_OR_RETURN(auto const all, host.nvdimm().list_namespaces());
  for (auto const& ns : all) {
    if (ns.name == name) return std::optional<Namespace>(ns);
  }
  for (auto const& ns : all) {
    if (ns.dev == name) return std::optional<Namespace>(ns);
  }
  return std::optional<Namespace>();
}

Result<std::uint64_t> size_field(json const& body, char const* key, bool required) {
  auto const it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required) return Fail(Errc::invalid_argument, std::string("'") + key + "' is required");
    return std::uint64_t{0};
  }
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  if (it->is_string()) return parse_size(it->get<std::string>());
  return Fail(Errc::invalid_argument,
              std::string("'") + key + "' must be a number of bytes or a size like \"1G\"");
}

Result<std::string> string_field(json const& body, char const* key) {
  auto const it = body.find(key);
  if (it == body.end() || !it->is_string()) {
    return Fail(Errc::invalid_argument, std::string("'") + key + "' is required (a string)");
  }
  return it->get<std::string>();
}

Result<bool> bool_field(json const& body, char const* key) {
  auto const it = body.find(key);
  if (it == body.end() || it->is_null()) return false;
  if (!it->is_boolean())
    return Fail(Errc::invalid_argument, std::string("'") + key + "' must be true or false");
  return it->get<bool>();
}

Result<std::string> policy_field(json const& body) {
  auto const it = body.find("policy");
  if (it == body.end() || it->is_null()) return std::string("refuse");
  if (it->is_string() && (*it == "refuse" || *it == "terminate")) return it->get<std::string>();
  return Fail(Errc::invalid_argument, "'policy' must be \"refuse\" or \"terminate\"");
}

// The repeated check just before a destructive step: nothing may use the device.
Result<void> require_unused(host::Host& host, Namespace const& ns, std::string const& verb) {
  DAXD_ASSIGN_OR_RETURN(auto consumers, namespace_consumers(host, ns));
  if (consumers.empty()) return Ok();
  std::string const what = ns.name.empty() ? ns.dev : "'" + ns.name + "' (" + ns.dev + ")";
  return Fail(Error{
      Errc::busy,
      "namespace " + what + ": cannot " + verb + ": in use by " + describe(consumers.front()) +
          (consumers.size() > 1 ? " and " + std::to_string(consumers.size() - 1) + " more" : ""),
      std::move(consumers)});
}

// policy=terminate: processes get SIGTERM, then a few seconds to let go. Mounts and dm tables are
// never forced away here: they are refused by require_unused.
Result<void> terminate_holders(host::Host& host, Namespace const& ns) {
  DAXD_ASSIGN_OR_RETURN(auto const consumers, namespace_consumers(host, ns));
  bool signalled = false;
  for (auto const& c : consumers) {
    if (c.pid == 0) continue;
    ignore_result(host.processes().send_signal(c.pid, SIGTERM));  // gone already is fine
    signalled = true;
  }
  if (!signalled) return Ok();
  for (int i = 0; i < 50; ++i) {
    DAXD_ASSIGN_OR_RETURN(auto const left, namespace_consumers(host, ns));
    bool const any_process =
        std::any_of(left.begin(), left.end(), [](auto const& c) { return c.pid != 0; });
    if (!any_process) return Ok();
    host.clock().sleep_for(std::chrono::milliseconds(100));
  }
  return Ok();  // require_unused reports who is still there
}

Result<void> preflight_change(json const& request, host::Host& host, std::string const& verb) {
  std::string const name = request.at("name").get<std::string>();
  DAXD_ASSIGN_OR_RETURN(Namespace const ns, find_namespace(host, name));
  if (request.value("policy", "refuse") == "terminate") DAXD_TRY(terminate_holders(host, ns));
  DAXD_TRY(require_unused(host, ns, verb));
  if (request.value("force", false) || ns.blockdev.empty()) return Ok();
  DAXD_ASSIGN_OR_RETURN(std::string const sig,
                        host.filesystems().probe_signature("/dev/" + ns.blockdev));
  if (sig.empty()) return Ok();
  return Fail(Errc::conflict, "namespace '" + name + "' (" + ns.dev + "): cannot " + verb +
                                  ": it holds a " + sig +
                                  " filesystem that would be lost; pass force to proceed");
}

Plan plan_create(json const& r) {
  std::string const name = r.at("name");
  std::string const region = r.at("region");
  host::NamespaceSpec spec;
  spec.name = name;
  spec.region = region;
  spec.size = r.at("size");
  spec.mode = parse_namespace_mode(r.at("mode").get<std::string>()).value();
  if (r.contains("align")) spec.align = r.at("align").get<std::uint64_t>();
  Step create;
  create.name = "create-namespace";
  create.description = region + ": create a " + std::to_string(spec.size) + "-byte " +
                       std::string(to_string(spec.mode)) + " namespace '" + name + "'";
  create.commit_point = true;
  create.run = [spec](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const existing, lookup(ctx.host, spec.name));
    if (existing) {
      ctx.data["dev"] = existing->dev;
      return Outcome::unchanged;
    }
    DAXD_ASSIGN_OR_RETURN(Namespace const made, ctx.host.nvdimm().create_namespace(spec));
    ctx.data["dev"] = made.dev;
    return Outcome::changed;
  };
  create.undo = [name](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const existing, lookup(ctx.host, name));
    if (!existing) return Outcome::unchanged;
    DAXD_TRY(ctx.host.nvdimm().destroy_namespace(existing->dev));
    return Outcome::changed;
  };
  return Plan{kCreateNamespace,
              "namespace/" + name,
              {"namespace/" + name, "region/" + region},
              {std::move(create)},
              {}};
}

Plan plan_destroy(json const& r) {
  std::string const name = r.at("name");
  Step destroy;
  destroy.name = "destroy-namespace";
  destroy.description = "destroy namespace '" + name + "' and return its capacity to " +
                        r.at("region").get<std::string>();
  destroy.commit_point = true;  // nothing can bring the data back: recovery rolls forward
  destroy.run = [name](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const existing, lookup(ctx.host, name));
    if (!existing) return Outcome::unchanged;
    DAXD_TRY(require_unused(ctx.host, *existing, "destroy it"));
    DAXD_TRY(ctx.host.nvdimm().destroy_namespace(existing->dev));
    return Outcome::changed;
  };
  std::string const region = r.at("region");
  return Plan{kDestroyNamespace,
              "namespace/" + name,
              {"namespace/" + name, "region/" + region},
              {std::move(destroy)},
              {"the namespace's data are destroyed"}};
}

Plan plan_reconfigure(json const& r) {
  std::string const name = r.at("name");
  NamespaceMode const mode = parse_namespace_mode(r.at("mode").get<std::string>()).value();
  Step change;
  change.name = "reconfigure-namespace";
  change.description = "change namespace '" + name + "' to " + std::string(to_string(mode));
  change.commit_point = true;
  change.run = [name, mode](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const existing, lookup(ctx.host, name));
    if (!existing) return Fail(Errc::not_found, "namespace '" + name + "' is gone");
    if (existing->mode == mode && existing->enabled) return Outcome::unchanged;
    DAXD_TRY(require_unused(ctx.host, *existing, "reconfigure it"));
    DAXD_TRY(ctx.host.nvdimm().reconfigure_namespace(existing->dev, mode));
    return Outcome::changed;
  };
  std::string const region = r.at("region");
  return Plan{kReconfigureNamespace,
              "namespace/" + name,
              {"namespace/" + name, "region/" + region},
              {std::move(change)},
              {"a mode change keeps no data"}};
}

// Plans come from normalised requests; a request that lost a key (a corrupt journal) is refused.
template <typename F>
std::function<Result<Plan>(json const&)> guarded(F make, std::vector<char const*> keys) {
  return [make, keys](json const& r) -> Result<Plan> {
    for (auto const* k : keys) {
      if (!r.is_object() || !r.contains(k)) {
        return Fail(Errc::invalid_argument, std::string("request lacks '") + k + "'");
      }
    }
    return make(r);
  };
}

}  // namespace

Result<Namespace> find_namespace(host::Host& host, std::string const& name) {
  DAXD_ASSIGN_OR_RETURN(auto const found, lookup(host, name));
  if (!found) return Fail(Errc::not_found, "no namespace named '" + name + "'");
  return *found;
}

Result<json> normalise_create_namespace(json const& body) {
  if (!body.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  DAXD_ASSIGN_OR_RETURN(std::string const name, string_field(body, "name"));
  DAXD_TRY(validate_name("namespace", name));
  DAXD_ASSIGN_OR_RETURN(std::string const region, string_field(body, "region"));
  DAXD_TRY(validate_kernel_name("region", region));
  DAXD_ASSIGN_OR_RETURN(std::uint64_t const size, size_field(body, "size", /*required=*/true));
  std::string mode_text = body.value("mode", "fsdax");
  DAXD_ASSIGN_OR_RETURN(NamespaceMode const mode, parse_namespace_mode(mode_text));
  json out{{"name", name}, {"region", region}, {"size", size}, {"mode", to_string(mode)}};
  DAXD_ASSIGN_OR_RETURN(std::uint64_t const align, size_field(body, "align", /*required=*/false));
  if (align != 0) {
    if ((align & (align - 1)) != 0)
      return Fail(Errc::invalid_argument, "'align' must be a power of two");
    out["align"] = align;
  }
  return out;
}

Result<std::optional<Namespace>> existing_namespace(host::Host& host, json const& r) {
  std::string const name = r.at("name");
  DAXD_ASSIGN_OR_RETURN(auto const found, lookup(host, name));
  if (!found || found->name != name) return std::optional<Namespace>();
  std::string const mode = r.at("mode");
  std::uint64_t const size = r.at("size");
  bool const same = found->region == r.at("region").get<std::string>() &&
                    to_string(found->mode) == mode &&
                    (found->raw_size == 0 || found->raw_size == size);
  if (!same) {
    return Fail(Errc::already_exists, "namespace '" + name + "' already exists as " +
                                          std::string(to_string(found->mode)) + " in " +
                                          found->region + " (" + std::to_string(found->raw_size) +
                                          " bytes): a different spec was requested");
  }
  return found;
}

Result<json> normalise_namespace_change(host::Host& host, std::string const& type,
                                        std::string const& name, json const& body) {
  json const b = body.is_null() ? json::object() : body;
  if (!b.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  DAXD_ASSIGN_OR_RETURN(Namespace const ns, find_namespace(host, name));
  DAXD_ASSIGN_OR_RETURN(bool const force, bool_field(b, "force"));
  DAXD_ASSIGN_OR_RETURN(std::string const policy, policy_field(b));
  // The label name is the stable identity; namespaces without one are addressed by dev name.
  json out{{"name", ns.name.empty() ? ns.dev : ns.name},
           {"region", ns.region},
           {"force", force},
           {"policy", policy}};
  if (type == kReconfigureNamespace) {
    DAXD_ASSIGN_OR_RETURN(std::string const mode_text, string_field(b, "mode"));
    DAXD_ASSIGN_OR_RETURN(NamespaceMode const mode, parse_namespace_mode(mode_text));
    out["mode"] = to_string(mode);
  }
  return out;
}

void register_namespace_operations(Orchestrator& o) {
  o.register_type({kCreateNamespace, guarded(plan_create, {"name", "region", "size", "mode"}), {}});
  o.register_type(
      {kDestroyNamespace, guarded(plan_destroy, {"name", "region"}),
       [](json const& r, host::Host& h) { return preflight_change(r, h, "destroy it"); }});
  o.register_type(
      {kReconfigureNamespace, guarded(plan_reconfigure, {"name", "region", "mode"}),
       [](json const& r, host::Host& h) { return preflight_change(r, h, "reconfigure it"); }});
}

}  // namespace daxd::orchestrator
