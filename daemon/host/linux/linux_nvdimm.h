// SPDX-License-Identifier: Apache-2.0
// host::Nvdimm for the real kernel through libndctl/libdaxctl, shaped like `ndctl list -RN`.
#pragma once

#include <string>

#include "daemon/host/linux/ndctl_handles.h"
#include "daemon/host/nvdimm.h"

namespace daxd::host::linux_impl {

class LinuxNvdimm final : public Nvdimm {
 public:
  Result<std::vector<Region>> list_regions() override;
  Result<std::vector<Namespace>> list_namespaces() override;
  Result<Namespace> create_namespace(NamespaceSpec const& spec) override;
  Result<void> destroy_namespace(std::string_view dev) override;
  Result<Namespace> reconfigure_namespace(std::string_view dev, NamespaceMode mode) override;

  /// Why the lists are empty although they did not fail ("libndctl: cannot create a context:
  /// ..."), or "".
  std::string const& note() const { return note_; }

 private:
  std::string note_;
};

// Shared by linux_nvdimm.cpp and ndctl_configure.cpp.

/// A fresh libndctl context (sysfs is re-read) whose log goes to last_ndctl_error().
Result<NdctlCtx> open_ndctl();
/// The last error libndctl logged on this thread, or "".
std::string const& last_ndctl_error();
void clear_ndctl_error();
ndctl_region* find_region(ndctl_ctx* ctx, std::string_view dev);
ndctl_namespace* find_namespace(ndctl_ctx* ctx, std::string_view dev);
/// The namespace as `ndctl list -N` shows it: the pfn/dax/btt child owns the device.
Namespace namespace_from(ndctl_namespace* ns);
/// An Error from a libndctl return code, with the library's last message appended.
Error ndctl_error(int rc, std::string context);

}  // namespace daxd::host::linux_impl
