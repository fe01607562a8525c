// SPDX-License-Identifier: Apache-2.0
// Picks the host the conformance scenarios run against: the sim (default) or the real kernel.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "daemon/host/host.h"
#include "daemon/model/result.h"

namespace daxd::conformance {

/// A host under test and the scratch state file it may own (removed with it).
struct ConformanceHost {
  std::unique_ptr<host::Host> host;
  std::filesystem::path state_file;  // empty for the linux host

  ConformanceHost() = default;
  ConformanceHost(ConformanceHost&&) = default;
  ConformanceHost& operator=(ConformanceHost&&) = default;
  ConformanceHost(ConformanceHost const&) = delete;
  ConformanceHost& operator=(ConformanceHost const&) = delete;
  ~ConformanceHost();
};

/// The host named by env DAXD_CONFORMANCE_HOST: "sim" (a fresh sim host loaded from the
/// vm-like fixture, env DAXD_CONFORMANCE_FIXTURE overrides it) or "linux" (the real kernel).
/// Errors: unavailable (that host is not built into this binary), invalid_argument (unknown
/// name), or whatever the host factory reports.
Result<ConformanceHost> make_conformance_host();

/// "sim" or "linux", as make_conformance_host() reads it.
std::string conformance_host_name();

}  // namespace daxd::conformance
