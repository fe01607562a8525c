// SPDX-License-Identifier: Apache-2.0
// Who uses a volume: mounts of its dm device, dm tables on top, processes holding it or its files.
#pragma once

#include <string>
#include <vector>

#include "daemon/host/host.h"
#include "daemon/model/consumer.h"
#include "daemon/model/result.h"
#include "daemon/model/volume.h"
#include "state/desired_state.h"

namespace daxd::orchestrator {

/// Every consumer of the volume's dm device (/dev/mapper/daxd-NAME) read fresh from the host:
/// its mounts (pid 0), dm tables built on it (holders), and processes with open fds, mappings
/// (MAP_SYNC flagged), cwd or root inside its filesystem or on the device node. Empty when the
/// dm device does not exist. Errors: the host's.
Result<std::vector<Consumer>> volume_consumers(host::Host& host, Volume const& volume);

/// The consumers that are processes (pid != 0).
std::vector<Consumer> process_consumers(std::vector<Consumer> const& all);

/// Processes that map the volume through DAX: what a table reload, suspend, removal or DAX-off
/// must never run under.
std::vector<Consumer> dax_mappings(std::vector<Consumer> const& all);

/// Busy (with every blocker listed) when any process maps the volume through DAX; `verb` says
/// what was refused: "volume 'db': cannot reload its table: pid 7 (pg): mapping ...".
/// Errors: busy, the host's.
Result<void> require_no_dax_mapping(host::Host& host, Volume const& volume,
                                    std::string const& verb);

/// A `holder` consumer for each desired volume that has an extent on the namespace whose label
/// name is `namespace_name` (the volume's dm device need not exist: the spec claims it).
/// Errors: io_error (state), invalid_argument (an unreadable spec).
Result<std::vector<Consumer>> volume_memberships(state::DesiredState& desired,
                                                 std::string const& namespace_name);

/// "volume 'db': cannot VERB: in use by <first> and N more", busy, with every blocker.
Error volume_busy(std::string const& volume, std::string const& verb,
                  std::vector<Consumer> blockers);

}  // namespace daxd::orchestrator
