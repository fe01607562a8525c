// SPDX-License-Identifier: Apache-2.0
// The fake host's fixed inventory; every mutation is unsupported.
#include "tests/unit/api/fake_host.h"

namespace daxd::api::fake {

namespace {
Unexpected unsupported() { return Fail(Errc::unsupported, "fake host: read-only"); }
}  // namespace

Result<std::vector<Region>> FakeNvdimm::list_regions() {
  if (fail) return Fail(Errc::unavailable, "fake host: nvdimm bus gone");
  Region r0;
  r0.dev = "region0";
  r0.size = 16ULL << 30;
  r0.available_size = 4ULL << 30;
  r0.max_available_extent = 4ULL << 30;
  r0.align = 16ULL << 20;
  r0.numa_node = 0;
  r0.persistence_domain = "memory_controller";
  Region r1 = r0;
  r1.dev = "region1";
  r1.numa_node = 1;
  return std::vector<Region>{r0, r1};
}

Result<std::vector<Namespace>> FakeNvdimm::list_namespaces() {
  if (fail) return Fail(Errc::unavailable, "fake host: nvdimm bus gone");
  Namespace a;
  a.dev = "namespace0.0";
  a.region = "region0";
  a.mode = NamespaceMode::fsdax;
  a.map = "dev";
  a.size = 4ULL << 30;
  a.uuid = "11111111-2222-3333-4444-555555555555";
  a.name = "db";
  a.blockdev = "pmem0";
  Namespace b = a;
  b.dev = "namespace0.1";
  b.mode = NamespaceMode::devdax;
  b.name = "cache";
  b.uuid = "11111111-2222-3333-4444-666666666666";
  b.blockdev.clear();
  b.chardev = "dax0.1";
  Namespace c = a;
  c.dev = "namespace1.0";
  c.region = "region1";
  c.name = "logs";
  c.uuid = "11111111-2222-3333-4444-777777777777";
  c.blockdev = "pmem1";
  return std::vector<Namespace>{a, b, c};
}

Result<Namespace> FakeNvdimm::create_namespace(host::NamespaceSpec const&) { return unsupported(); }
Result<void> FakeNvdimm::destroy_namespace(std::string_view) { return unsupported(); }
Result<Namespace> FakeNvdimm::reconfigure_namespace(std::string_view, NamespaceMode) {
  return unsupported();
}
Result<DmDevice> FakeDeviceMapper::create(std::string_view, std::string_view,
                                          std::vector<DmTarget> const&) {
  return unsupported();
}
Result<void> FakeDeviceMapper::reload(std::string_view, std::vector<DmTarget> const&) {
  return unsupported();
}
Result<void> FakeDeviceMapper::suspend(std::string_view) { return unsupported(); }
Result<void> FakeDeviceMapper::resume(std::string_view) { return unsupported(); }
Result<void> FakeDeviceMapper::remove(std::string_view) { return unsupported(); }
Result<void> FakeFilesystems::make_filesystem(std::string_view, FsType) { return unsupported(); }
Result<void> FakeFilesystems::mount(std::string_view, std::string_view, FsType, DaxMode) {
  return unsupported();
}
Result<void> FakeFilesystems::unmount(std::string_view) { return unsupported(); }
Result<void> FakeFilesystems::freeze(std::string_view) { return unsupported(); }
Result<void> FakeFilesystems::thaw(std::string_view) { return unsupported(); }
Result<std::string> FakeFilesystems::probe_signature(std::string_view) { return unsupported(); }
Result<void> FakeProcesses::send_signal(int, int) { return unsupported(); }

}  // namespace daxd::api::fake
