// SPDX-License-Identifier: Apache-2.0
// The NVDIMM bus as daxd needs it: regions and namespaces, listed and changed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/model/namespace.h"
#include "daemon/model/region.h"
#include "daemon/model/result.h"

namespace daxd::host {

struct NamespaceSpec {
  std::string region;      // "region0"
  std::string name;        // stored in the namespace label
  std::uint64_t size = 0;  // bytes requested (before the struct page reservation)
  NamespaceMode mode = NamespaceMode::fsdax;
  std::optional<std::uint64_t> align;  // default: the kernel's (2 MiB for fsdax/devdax)
};

class Nvdimm {
 public:
  virtual ~Nvdimm() = default;

  /// All regions of every bus, ordered by dev name. Errors: unavailable, io_error.
  virtual Result<std::vector<Region>> list_regions() = 0;

  /// All namespaces with a size (zero-size seeds omitted), ordered by region then dev.
  /// Errors: unavailable, io_error.
  virtual Result<std::vector<Namespace>> list_namespaces() = 0;

  /// A new enabled namespace with the spec's name in its label.
  /// Errors: not_found (region), no_space, invalid_argument (size/align), unsupported
  /// (label-less region), io_error.
  virtual Result<Namespace> create_namespace(NamespaceSpec const& spec) = 0;

  /// The namespace is disabled and its label deleted; its capacity returns to the region.
  /// Errors: not_found, busy (the kernel refused: mounted or open), io_error.
  virtual Result<void> destroy_namespace(std::string_view dev) = 0;

  /// The namespace has the new mode (same size, name and region); its data are not kept.
  /// Errors: not_found, busy, invalid_argument, io_error.
  virtual Result<Namespace> reconfigure_namespace(std::string_view dev, NamespaceMode mode) = 0;
};

}  // namespace daxd::host
