// SPDX-License-Identifier: Apache-2.0
// The real host: one implementation per concern over the running kernel.
#pragma once

#include <memory>

#include "daemon/host/host.h"
#include "daemon/model/result.h"

namespace daxd::host {

/// The host of this machine (libndctl, libdevmapper, libmount, /proc). describe() is "linux".
/// Errors: none today; Result leaves room for a missing kernel facility.
Result<std::unique_ptr<Host>> make_linux_host();

}  // namespace daxd::host
