// SPDX-License-Identifier: Apache-2.0
// Fixture helpers: host set-up per scenario and cleanup of every "c-" object it left behind.
#include "tests/conformance/conformance_fixture.h"

#include <algorithm>

namespace daxd::conformance {

std::string describe(Error const& e) { return std::string(to_string(e.code)) + ": " + e.message; }

void Conformance::SetUp() {
  auto made = make_conformance_host();
  if (!made && made.error().code == Errc::unavailable) GTEST_SKIP() << made.error().message;
  ASSERT_TRUE(made.has_value()) << "host '" << conformance_host_name()
                                << "': " << describe(made.error());
  host_ = std::move(made).value();
}

// Best effort, innermost first: mounts, dm devices, namespaces. On the sim this is moot (each
// scenario has its own state); on the real kernel it keeps one scenario from bleeding into the
// next.
void Conformance::TearDown() {
  if (!host_.host) return;
  auto starts = [](std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; };
  if (auto mounts = fs().list_mounts()) {
    for (auto m = mounts->rbegin(); m != mounts->rend(); ++m) {
      if (starts(m->target, "/mnt/c-")) ignore_result(fs().unmount(m->target));
    }
  }
  if (auto devices = dm().list_devices()) {
    for (auto const& d : *devices) {
      if (starts(d.name, kPrefix)) ignore_result(dm().remove(d.name));
    }
  }
  if (auto namespaces = nvdimm().list_namespaces()) {
    for (auto const& n : *namespaces) {
      if (starts(n.name, kPrefix)) ignore_result(nvdimm().destroy_namespace(n.dev));
    }
  }
}

host::NamespaceSpec Conformance::spec(std::string name, NamespaceMode mode, std::uint64_t size,
                                      std::string region) {
  host::NamespaceSpec s;
  s.region = std::move(region);
  s.name = std::move(name);
  s.size = size;
  s.mode = mode;
  return s;
}

Result<Namespace> Conformance::find_namespace(std::string_view name) {
  DAXD_ASSIGN_OR_RETURN(auto const all, nvdimm().list_namespaces());
  auto const it = std::ranges::find(all, name, &Namespace::name);
  if (it == all.end()) return Fail(Errc::not_found, "no namespace named " + std::string(name));
  return *it;
}

Result<Region> Conformance::find_region(std::string_view dev) {
  DAXD_ASSIGN_OR_RETURN(auto const all, nvdimm().list_regions());
  auto const it = std::ranges::find(all, dev, &Region::dev);
  if (it == all.end()) return Fail(Errc::not_found, "no region " + std::string(dev));
  return *it;
}

Result<DmDevice> Conformance::find_dm(std::string_view name) {
  DAXD_ASSIGN_OR_RETURN(auto const all, dm().list_devices());
  auto const it = std::ranges::find(all, name, &DmDevice::name);
  if (it == all.end()) return Fail(Errc::not_found, "no dm device " + std::string(name));
  return *it;
}

Result<MountEntry> Conformance::find_mount(std::string_view target) {
  DAXD_ASSIGN_OR_RETURN(auto const all, fs().list_mounts());
  auto const it = std::ranges::find(all, target, &MountEntry::target);
  if (it == all.end()) return Fail(Errc::not_found, "nothing mounted at " + std::string(target));
  return *it;
}

std::vector<DmTarget> Conformance::linear_over(Namespace const& ns) {
  return {DmTarget{0, ns.size / 512, "linear", "/dev/" + ns.blockdev + " 0"}};
}

}  // namespace daxd::conformance
