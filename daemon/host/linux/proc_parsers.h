// SPDX-License-Identifier: Apache-2.0
// Pure parsers for /proc/PID/maps lines and /proc/PID/smaps VmFlags (unit-tested, fuzzable).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/model/device.h"

namespace daxd::host::linux_impl {

/// One line of /proc/PID/maps: "7f89..-7f89.. rw-s 00000000 103:00 12   /mnt/a/f".
struct MapsEntry {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  std::string perms;  // "rw-s"
  std::uint64_t offset = 0;
  DevNumber dev;  // the hex "maj:min" field, decoded
  std::uint64_t inode = 0;
  std::string path;  // may be empty (anonymous), "[heap]", or end in " (deleted)"
};

/// Parses one maps line; nullopt when it is malformed.
std::optional<MapsEntry> parse_maps_line(std::string_view line);

/// Parses a hex "maj:min" device field ("103:00" -> 259:0); nullopt when malformed.
std::optional<DevNumber> parse_hex_dev(std::string_view text);

/// Whether a "VmFlags: rd wr sh ..." line carries the two-letter `flag`.
bool vmflags_has(std::string_view vmflags_line, std::string_view flag);

/// A mapping of /proc/PID/smaps and whether it was mapped with MAP_SYNC (VmFlags "sf").
struct SmapsSync {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  bool map_sync = false;
};

/// Every mapping of a whole smaps text with its MAP_SYNC flag.
std::vector<SmapsSync> parse_smaps_sync(std::string_view smaps);

/// Parses /proc/self/mountinfo-style "maj:min" in decimal ("259:0"); nullopt when malformed.
std::optional<DevNumber> parse_decimal_dev(std::string_view text);

}  // namespace daxd::host::linux_impl
