// SPDX-License-Identifier: Apache-2.0
// A persistent-memory region as libndctl reports it (ndctl list -R keys).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace daxd {

struct Region {
  std::string dev;          // "region0"
  std::uint64_t size = 0;   // bytes
  std::uint64_t align = 0;  // bytes; 0 when unknown
  std::uint64_t available_size = 0;
  std::uint64_t max_available_extent = 0;
  std::string type = "pmem";  // "pmem" | "blk"
  std::optional<int> numa_node;
  std::optional<int> target_node;
  std::optional<std::uint64_t> iset_id;  // interleave-set cookie; absent when label-less
  std::string persistence_domain;        // "memory_controller" | "cpu_cache" | "unknown" | ""
  bool enabled = true;

  friend bool operator==(Region const&, Region const&) = default;
};

}  // namespace daxd
