// SPDX-License-Identifier: Apache-2.0
// A namespace inside a region and its personality (fsdax, devdax, sector, raw).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/model/device.h"
#include "daemon/model/result.h"

namespace daxd {

enum class NamespaceMode { fsdax, devdax, sector, raw };

std::string_view to_string(NamespaceMode mode);
/// Accepts ndctl's names and aliases ("memory" = fsdax, "dax" = devdax, "safe" = sector).
/// Errors: invalid_argument.
Result<NamespaceMode> parse_namespace_mode(std::string_view text);

struct Namespace {
  std::string dev;     // kernel name: "namespace0.0"
  std::string region;  // "region0"
  NamespaceMode mode = NamespaceMode::raw;
  std::string map;         // "dev" | "mem" for fsdax/devdax; empty otherwise
  std::uint64_t size = 0;  // usable bytes (after the struct page reservation)
  std::string uuid;        // empty for label-less namespaces
  std::string name;        // the label's name ("alias"); daxd's identity for it
  std::optional<std::uint32_t> sector_size;
  std::optional<std::uint64_t> align;
  std::string blockdev;  // "pmem0" / "pmem0.2s" for fsdax, sector, raw
  std::string chardev;   // "dax0.1" for devdax
  bool enabled = true;
  // Not in ndctl's JSON: what daxd needs to find consumers and compare specs.
  DevNumber devno;             // of the blockdev or chardev; {0,0} when none
  std::uint64_t raw_size = 0;  // the label's allocation: the size that was requested

  friend bool operator==(Namespace const&, Namespace const&) = default;
};

}  // namespace daxd
