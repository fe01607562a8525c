// SPDX-License-Identifier: Apache-2.0
// The verbs of daxadm: each lives in one verb_<name>.cpp and registers one CLI11 subcommand.
#pragma once

#include <array>
#include <functional>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli/session.h"
#include "daemon/model/result.h"

namespace daxd::cli {

/// What the invoked verb does once the arguments are parsed and the session exists.
using VerbAction = std::function<Result<void>(Session&)>;

/// A verb adds its subcommand to `app`; if the user invokes it, it stores its action in `chosen`.
using AddVerb = void (*)(CLI::App& app, VerbAction& chosen);

void add_list_verb(CLI::App& app, VerbAction& chosen);
void add_create_namespace_verb(CLI::App& app, VerbAction& chosen);
void add_destroy_namespace_verb(CLI::App& app, VerbAction& chosen);
void add_reconfigure_namespace_verb(CLI::App& app, VerbAction& chosen);
void add_operations_verb(CLI::App& app, VerbAction& chosen);
void add_audit_verb(CLI::App& app, VerbAction& chosen);
void add_wait_verb(CLI::App& app, VerbAction& chosen);
void add_events_verb(CLI::App& app, VerbAction& chosen);
void add_create_volume_verb(CLI::App& app, VerbAction& chosen);
void add_destroy_volume_verb(CLI::App& app, VerbAction& chosen);
void add_grow_volume_verb(CLI::App& app, VerbAction& chosen);
void add_set_dax_verb(CLI::App& app, VerbAction& chosen);
void add_consumers_verb(CLI::App& app, VerbAction& chosen);
void add_file_dax_verb(CLI::App& app, VerbAction& chosen);
void add_add_hook_verb(CLI::App& app, VerbAction& chosen);
void add_hooks_verb(CLI::App& app, VerbAction& chosen);
void add_remove_hook_verb(CLI::App& app, VerbAction& chosen);
void add_ack_hook_verb(CLI::App& app, VerbAction& chosen);
void add_create_snapshot_verb(CLI::App& app, VerbAction& chosen);
void add_destroy_snapshot_verb(CLI::App& app, VerbAction& chosen);
void add_restore_snapshot_verb(CLI::App& app, VerbAction& chosen);
void add_mount_snapshot_verb(CLI::App& app, VerbAction& chosen);
void add_unmount_snapshot_verb(CLI::App& app, VerbAction& chosen);

/// A verb: its subcommand's name and the function that adds it.
struct NamedVerb {
  std::string_view name;
  AddVerb add;
};

/// Every verb, in the order `daxadm --help` lists them. A new verb: one file, one line here.
inline constexpr std::array<NamedVerb, 23> kVerbs = {{
    {"list", &add_list_verb},
    {"create-namespace", &add_create_namespace_verb},
    {"destroy-namespace", &add_destroy_namespace_verb},
    {"reconfigure-namespace", &add_reconfigure_namespace_verb},
    {"operations", &add_operations_verb},
    {"audit", &add_audit_verb},
    {"wait", &add_wait_verb},
    {"events", &add_events_verb},
    {"create-volume", &add_create_volume_verb},
    {"destroy-volume", &add_destroy_volume_verb},
    {"grow-volume", &add_grow_volume_verb},
    {"set-dax", &add_set_dax_verb},
    {"create-snapshot", &add_create_snapshot_verb},
    {"destroy-snapshot", &add_destroy_snapshot_verb},
    {"restore-snapshot", &add_restore_snapshot_verb},
    {"mount-snapshot", &add_mount_snapshot_verb},
    {"unmount-snapshot", &add_unmount_snapshot_verb},
    {"consumers", &add_consumers_verb},
    {"file-dax", &add_file_dax_verb},
    {"add-hook", &add_add_hook_verb},
    {"hooks", &add_hooks_verb},
    {"remove-hook", &add_remove_hook_verb},
    {"ack-hook", &add_ack_hook_verb},
}};

}  // namespace daxd::cli
