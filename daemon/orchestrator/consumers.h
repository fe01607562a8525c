// SPDX-License-Identifier: Apache-2.0
// Who uses a device: mounts, dm tables built on it, processes holding it open or mapped.
#pragma once

#include <vector>

#include "daemon/host/host.h"
#include "daemon/model/consumer.h"
#include "daemon/model/namespace.h"
#include "daemon/model/result.h"

namespace daxd::orchestrator {

/// Every consumer of the namespace's block or char device, read fresh from the host (never from
/// a cache: this runs just before a step that needs it). Errors: the host's.
Result<std::vector<Consumer>> namespace_consumers(host::Host& host, Namespace const& ns);

/// "pid 1234 (postgres): mapping /mnt/db/wal (MAP_SYNC)" — for messages and logs.
std::string describe(Consumer const& c);

}  // namespace daxd::orchestrator
