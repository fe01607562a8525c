// SPDX-License-Identifier: Apache-2.0
// The verbs of daxadm: each lives in one verb_<name>.cpp and registers one CLI11 subcommand.
#pragma once

#include <array>
#include <functional>

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

/// Every verb, in the order `daxadm --help` lists them. A new verb: one file, one line here.
inline constexpr std::array<AddVerb, 23> kVerbs = {&add_list_verb,
                                                  &add_create_namespace_verb,
                                                  &add_destroy_namespace_verb,
                                                  &add_reconfigure_namespace_verb,
                                                  &add_operations_verb,
                                                  &add_audit_verb,
                                                  &add_wait_verb,
                                                  &add_events_verb,
                                                  &add_create_volume_verb,
                                                  &add_destroy_volume_verb,
                                                  &add_grow_volume_verb,
                                                  &add_set_dax_verb,
                                                  &add_create_snapshot_verb,
                                                  &add_destroy_snapshot_verb,
                                                  &add_restore_snapshot_verb,
                                                  &add_mount_snapshot_verb,
                                                  &add_unmount_snapshot_verb,
                                                  &add_consumers_verb,
                                                  &add_file_dax_verb,
                                                  &add_add_hook_verb,
                                                  &add_hooks_verb,
                                                  &add_remove_hook_verb,
                                                  &add_ack_hook_verb};

}  // namespace daxd::cli
