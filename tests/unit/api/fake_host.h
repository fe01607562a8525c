// SPDX-License-Identifier: Apache-2.0
// A minimal in-memory host for API tests: two regions, three namespaces, nothing else.
#pragma once

#include <string>
#include <vector>

#include "daemon/host/host.h"

namespace daxd::api::fake {

class FakeNvdimm final : public host::Nvdimm {
 public:
  Result<std::vector<Region>> list_regions() override;
  Result<std::vector<Namespace>> list_namespaces() override;
  Result<Namespace> create_namespace(host::NamespaceSpec const& spec) override;
  Result<void> destroy_namespace(std::string_view dev) override;
  Result<Namespace> reconfigure_namespace(std::string_view dev, NamespaceMode mode) override;

  bool fail = false;  // list_* answer unavailable
};

class FakeDeviceMapper final : public host::DeviceMapper {
 public:
  Result<std::vector<DmDevice>> list_devices() override { return std::vector<DmDevice>{}; }
  Result<DmDevice> create(std::string_view, std::string_view,
                          std::vector<DmTarget> const&) override;
  Result<void> reload(std::string_view, std::vector<DmTarget> const&) override;
  Result<void> suspend(std::string_view) override;
  Result<void> resume(std::string_view) override;
  Result<void> remove(std::string_view) override;
};

class FakeFilesystems final : public host::Filesystems {
 public:
  Result<std::vector<MountEntry>> list_mounts() override { return std::vector<MountEntry>{}; }
  Result<void> make_filesystem(std::string_view, FsType) override;
  Result<void> mount(std::string_view, std::string_view, FsType, DaxMode) override;
  Result<void> unmount(std::string_view) override;
  Result<void> freeze(std::string_view) override;
  Result<void> thaw(std::string_view) override;
  Result<std::string> probe_signature(std::string_view) override;
};

class FakeProcesses final : public host::Processes {
 public:
  Result<std::vector<Consumer>> find_consumers(host::ConsumerQuery const&) override {
    return std::vector<Consumer>{};
  }
  Result<void> send_signal(int, int) override;
};

class FakeHost final : public host::Host {
 public:
  host::Nvdimm& nvdimm() override { return nvdimm_; }
  host::DeviceMapper& device_mapper() override { return dm_; }
  host::Filesystems& filesystems() override { return fs_; }
  host::Processes& processes() override { return processes_; }
  host::Clock& clock() override { return clock_; }
  std::string describe() const override { return "fake"; }

  FakeNvdimm nvdimm_;
  FakeDeviceMapper dm_;
  FakeFilesystems fs_;
  FakeProcesses processes_;
  host::SystemClock clock_;
};

}  // namespace daxd::api::fake
