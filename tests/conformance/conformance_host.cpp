// SPDX-License-Identifier: Apache-2.0
// Host selection for the conformance scenarios; each host is compiled in only once it exists.
#include "tests/conformance/conformance_host.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#if DAXD_CONFORMANCE_HAVE_SIM
#include "daemon/host/sim/sim_host.h"
#endif
#if DAXD_CONFORMANCE_HAVE_LINUX
#include "daemon/host/linux/linux_host.h"
#endif

namespace daxd::conformance {
namespace {

#if DAXD_CONFORMANCE_HAVE_SIM
// Every host gets its own copy of the fixture as its state file, so scenarios never share state.
Result<ConformanceHost> make_fresh_sim_host() {
  char const* env = std::getenv("DAXD_CONFORMANCE_FIXTURE");
  std::filesystem::path const fixture = env != nullptr ? env : DAXD_CONFORMANCE_FIXTURE;
  static int serial = 0;
  auto const state =
      std::filesystem::temp_directory_path() /
      ("daxd-conformance-" + std::to_string(::getpid()) + "-" + std::to_string(serial++) + ".json");
  std::error_code ec;
  std::filesystem::copy_file(fixture, state, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec)
    return Fail(Errc::io_error, "cannot copy fixture " + fixture.string() + ": " + ec.message());
  ConformanceHost out;
  out.state_file = state;
  DAXD_ASSIGN_OR_RETURN(out.host, host::sim::make_sim_host(state.string()));
  return out;
}
#endif

}  // namespace

ConformanceHost::~ConformanceHost() {
  host.reset();  // the sim may write its state on destruction
  std::error_code ec;
  if (!state_file.empty()) std::filesystem::remove(state_file, ec);
}

std::string conformance_host_name() {
  char const* env = std::getenv("DAXD_CONFORMANCE_HOST");
  return env != nullptr && *env != '\0' ? env : "sim";
}

Result<ConformanceHost> make_conformance_host() {
  std::string const name = conformance_host_name();
  if (name == "sim") {
#if DAXD_CONFORMANCE_HAVE_SIM
    return make_fresh_sim_host();
#else
    return Fail(Errc::unavailable, "the sim host is not built yet (no target daxd_host_sim)");
#endif
  }
  if (name == "linux") {
#if DAXD_CONFORMANCE_HAVE_LINUX
    ConformanceHost out;
    DAXD_ASSIGN_OR_RETURN(out.host, host::make_linux_host());
    return out;
#else
    return Fail(Errc::unavailable, "the linux host is not built yet (no linux_host.h)");
#endif
  }
  return Fail(Errc::invalid_argument,
              "DAXD_CONFORMANCE_HOST='" + name + "': expected 'sim' or 'linux'");
}

}  // namespace daxd::conformance
