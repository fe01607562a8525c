// SPDX-License-Identifier: Apache-2.0
// daxd's entry point: wiring only. Parse settings, build the host, open state, serve.
#include <systemd/sd-daemon.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "api/hook_http_caller.h"
#include "api/http_types.h"
#include "api/server.h"
#include "daemon/config.h"
#include "daemon/device_watch.h"
#include "daemon/event_fanout.h"
#include "daemon/host/linux/linux_host.h"
#include "daemon/host/sim/sim_host.h"
#include "daemon/inventory/inventory.h"
#include "daemon/orchestrator/file_dax.h"
#include "daemon/orchestrator/hooks.h"
#include "daemon/orchestrator/namespace_ops.h"
#include "daemon/orchestrator/orchestrator.h"
#include "daemon/orchestrator/reconcile.h"
#include "daemon/orchestrator/snapshot_ops.h"
#include "daemon/orchestrator/volume_ops.h"
#include "daemon/orchestrator/volume_view.h"
#include "state/state_store.h"

namespace {

using daxd::Result;

void log_error(daxd::Error const& e, char const* what) {
  std::fprintf(stderr, "daxd: %s: %s\n", what, e.message.c_str());
}

Result<std::unique_ptr<daxd::host::Host>> make_host(std::string const& spec) {
  if (spec == "linux") return daxd::host::make_linux_host();
  if (spec.rfind("sim:", 0) == 0 && spec.size() > 4) {
    return daxd::host::sim::make_sim_host(spec.substr(4));
  }
  return daxd::Fail(daxd::Errc::invalid_argument,
                    "unknown host '" + spec + "': expected 'linux' or 'sim:FILE'");
}

Result<std::uint32_t> parse_mode(std::string const& text) {
  std::uint32_t mode = 0;
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), mode, 8);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || mode > 0777) {
    return daxd::Fail(daxd::Errc::invalid_argument, "socket mode '" + text + "' is not octal");
  }
  return mode;
}

// Audit records go to SQLite; the API knows nothing of the state library.
std::function<void(daxd::api::AuditRecord const&)> audit_sink(daxd::state::StateStore& state) {
  return [&state](daxd::api::AuditRecord const& r) {
    daxd::state::AuditEntry e;
    if (r.uid != daxd::api::Peer::kNoId) {  // TCP peers have no credentials
      e.peer_uid = r.uid;
      e.peer_gid = r.gid;
      e.peer_pid = r.pid;
    }
    e.method = r.method;
    e.path = r.path;
    e.body_excerpt = r.body_excerpt;
    e.status = r.status;
    e.result = r.result;
    e.operation_id = r.operation_id;
    if (auto const done = state.audit().record(e); !done) {
      log_error(done.error(), "cannot write audit record");
    }
  };
}

// GET /v1/audit reads the log back; unset peer credentials are a TCP peer's.
Result<std::vector<daxd::api::AuditRecord>> audit_history(daxd::state::AuditLog& log,
                                                          daxd::api::AuditQuery const& q) {
  DAXD_ASSIGN_OR_RETURN(auto const entries, log.newest(q.limit, q.offset, q.since_id));
  std::vector<daxd::api::AuditRecord> out;
  out.reserve(entries.size());
  for (auto const& e : entries) {
    out.push_back(daxd::api::AuditRecord{e.peer_uid.value_or(daxd::api::Peer::kNoId),
                                         e.peer_gid.value_or(daxd::api::Peer::kNoId),
                                         e.peer_pid.value_or(0), e.method, e.path, e.body_excerpt,
                                         e.status, e.result, e.operation_id.value_or(0), e.id,
                                         e.at_ms});
  }
  return out;
}

std::vector<daxd::api::StoredEvent> stored_events(daxd::state::EventLog& log, std::int64_t since,
                                                  int limit) {
  std::vector<daxd::api::StoredEvent> out;
  auto const events = log.since(since, limit);
  if (!events) return out;  // a replay that cannot read the log sends live events only
  for (auto const& e : *events) {
    out.push_back(daxd::api::StoredEvent{e.id, e.at_ms, e.type, e.object, e.data_json});
  }
  return out;
}

int serve(daxd::Config const& config) {
  auto host = make_host(config.host);
  if (!host) return log_error(host.error(), "cannot start host"), 1;
  auto mode = parse_mode(config.socket_mode);
  if (!mode) return log_error(mode.error(), "bad settings"), 2;
  if (config.check_config) return 0;

  std::error_code ec;
  std::filesystem::create_directories(config.state_dir, ec);
  if (ec) {
    std::fprintf(stderr, "daxd: cannot create %s: %s\n", config.state_dir.c_str(),
                 ec.message().c_str());
    return 1;
  }
  auto state = daxd::state::open_state(config.state_dir + "/daxd.db");
  if (!state) return log_error(state.error(), "cannot open state"), 1;

  daxd::inventory::Inventory inventory(**host);
  auto hub = std::make_shared<daxd::api::EventHub>();
  daxd::EventFanout events((*state)->events(), hub, inventory, &(*state)->journal());
  // Before the engine, which runs hooks from its workers until it shuts down.
  daxd::orchestrator::Hooks hooks((*state)->desired(), **host, events,
                                  daxd::api::http_hook_caller());
  daxd::orchestrator::Orchestrator engine(**host, (*state)->journal(), (*host)->clock(), events);
  daxd::orchestrator::register_namespace_operations(engine);
  // After the namespace operations: volumes add their membership check to them.
  daxd::orchestrator::register_volume_operations(engine, (*state)->desired(), (*state)->journal(),
                                                 &hooks);
  daxd::orchestrator::register_snapshot_operations(engine, (*state)->desired(),
                                                   (*state)->journal(), &hooks);
  daxd::orchestrator::register_reconcile_operation(engine);
  daxd::orchestrator::register_file_dax_operations(engine, (*state)->desired());
  inventory.set_volume_source(
      [&state](daxd::inventory::View const& kernel) -> daxd::Result<std::vector<daxd::Volume>> {
        DAXD_ASSIGN_OR_RETURN(auto const desired,
                              daxd::orchestrator::desired_volumes((*state)->desired()));
        return daxd::orchestrator::build_volume_view(desired, kernel.dm_devices, kernel.mounts,
                                                     kernel.namespaces);
      });
  // Recovery before the API accepts anything: finish or undo what a crash interrupted.
  auto const recovered = engine.recover();
  if (!recovered) return log_error(recovered.error(), "recovery failed"), 1;
  for (auto const& line : recovered->messages) {
    std::fprintf(stderr, "daxd: recovery: %s\n", line.c_str());
  }
  // Volumes come back after a reboot: tables re-created (DAX-capable), filesystems re-mounted.
  auto const reconciled = daxd::orchestrator::reconcile_volumes(engine, **host,
                                                                (*state)->desired(), events);
  if (!reconciled) log_error(reconciled.error(), "reconcile failed");
  for (auto const& line : reconciled ? reconciled->messages : std::vector<std::string>{}) {
    std::fprintf(stderr, "daxd: recovery: reconcile: %s\n", line.c_str());
  }
  if (auto const first = inventory.refresh(); !first) {
    // Serve anyway: /healthz reports the failure and the next request retries.
    log_error(first.error(), "inventory refresh failed");
  }

  // uevents keep the inventory fresh and mark volumes failed when their devices vanish.
  daxd::DeviceWatch watch((*host)->device_events(), inventory, events, (*state)->journal());
  if (auto const watching = watch.start(); !watching) {
    log_error(watching.error(), "device events unavailable (the inventory refreshes after "
                                "operations only)");
  }

  daxd::api::ServerOptions options;
  options.unix_socket = config.socket;
  options.socket_mode = *mode;
  options.socket_group = config.socket_group;
  options.admin_group = config.admin_group;
  options.tcp_listen = config.tcp_listen;
  options.tls_cert_file = config.tls_cert;
  options.tls_key_file = config.tls_key;
  options.token_file = config.token_file;
  options.threads = config.threads;
  options.max_connections = static_cast<std::size_t>(config.max_connections);
  options.idle_timeout = std::chrono::seconds(config.idle_timeout_s);
  options.header_timeout = std::chrono::seconds(config.header_timeout_s);
  options.body_timeout = std::chrono::seconds(config.body_timeout_s);
  daxd::api::Services services{inventory, (*host)->describe(), audit_sink(**state)};
  services.host = host->get();
  services.orchestrator = &engine;
  services.desired = &(*state)->desired();
  services.hooks = &hooks;
  services.events = hub;
  services.event_history = [&state](std::int64_t since, int limit) {
    return stored_events((*state)->events(), since, limit);
  };
  services.audit_history = [&state](daxd::api::AuditQuery const& q) {
    return audit_history((*state)->audit(), q);
  };
  daxd::api::Server server(options, std::move(services));
  if (auto const started = server.start(); !started) {
    return log_error(started.error(), "cannot listen"), 1;
  }
  std::fprintf(stderr, "daxd: serving %s on %s\n", (*host)->describe().c_str(),
               config.socket.c_str());
  sd_notify(0, "READY=1\nSTATUS=serving");
  server.run();
  sd_notify(0, "STOPPING=1");
  engine.shutdown();  // running operations finish; the journal has them either way
  watch.stop();
  std::fprintf(stderr, "daxd: stopped\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = daxd::parse_config(argc, argv);
  if (auto const* exit = std::get_if<daxd::ExitRequest>(&parsed)) return exit->code;
  return serve(std::get<daxd::Config>(parsed));
}
