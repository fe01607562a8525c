// SPDX-License-Identifier: Apache-2.0
// Pure parsers for /proc/PID/maps lines and /proc/PID/smaps VmFlags.
#include "daemon/host/linux/proc_parsers.h"

#include <charconv>

namespace daxd::host::linux_impl {
namespace {

/// Splits off the next space-separated field; the view advances past it.
std::string_view next_field(std::string_view& rest) {
  std::size_t const begin = rest.find_first_not_of(' ');
  if (begin == std::string_view::npos) {
    rest = {};
    return {};
  }
  rest.remove_prefix(begin);
  std::size_t const end = rest.find(' ');
  std::string_view const field = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  return field;
}

template <typename T>
std::optional<T> parse_number(std::string_view text, int base) {
  T value{};
  if (text.empty()) return std::nullopt;
  auto const [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<DevNumber> parse_dev(std::string_view text, int base) {
  std::size_t const colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto const major = parse_number<std::uint32_t>(text.substr(0, colon), base);
  auto const minor = parse_number<std::uint32_t>(text.substr(colon + 1), base);
  if (!major || !minor) return std::nullopt;
  return DevNumber{*major, *minor};
}

bool is_mapping_header(std::string_view line) {
  // Header lines start with "start-end"; field lines with "Name:".
  std::size_t const dash = line.find('-');
  std::size_t const space = line.find(' ');
  return dash != std::string_view::npos && space != std::string_view::npos && dash < space &&
         line.substr(0, dash).find(':') == std::string_view::npos;
}

}  // namespace

std::optional<DevNumber> parse_hex_dev(std::string_view text) { return parse_dev(text, 16); }

std::optional<DevNumber> parse_decimal_dev(std::string_view text) { return parse_dev(text, 10); }

std::optional<MapsEntry> parse_maps_line(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  std::string_view rest = line;
  std::string_view const range = next_field(rest);
  std::string_view const perms = next_field(rest);
  std::string_view const offset = next_field(rest);
  std::string_view const dev = next_field(rest);
  std::string_view const inode = next_field(rest);
  std::size_t const dash = range.find('-');
  if (dash == std::string_view::npos || perms.size() != 4) return std::nullopt;
  MapsEntry e;
  auto const start = parse_number<std::uint64_t>(range.substr(0, dash), 16);
  auto const end = parse_number<std::uint64_t>(range.substr(dash + 1), 16);
  auto const off = parse_number<std::uint64_t>(offset, 16);
  auto const devnum = parse_hex_dev(dev);
  auto const ino = parse_number<std::uint64_t>(inode, 10);
  if (!start || !end || !off || !devnum || !ino) return std::nullopt;
  e.start = *start;
  e.end = *end;
  e.perms = std::string(perms);
  e.offset = *off;
  e.dev = *devnum;
  e.inode = *ino;
  // The path is the rest after the padding; it may itself contain spaces.
  std::size_t const path_begin = rest.find_first_not_of(' ');
  if (path_begin != std::string_view::npos) e.path = std::string(rest.substr(path_begin));
  return e;
}

bool vmflags_has(std::string_view vmflags_line, std::string_view flag) {
  std::string_view rest = vmflags_line;
  std::string_view const key = next_field(rest);
  if (key != "VmFlags:") return false;
  for (std::string_view f = next_field(rest); !f.empty(); f = next_field(rest)) {
    if (f == flag) return true;
  }
  return false;
}

std::vector<SmapsSync> parse_smaps_sync(std::string_view smaps) {
  std::vector<SmapsSync> out;
  while (!smaps.empty()) {
    std::size_t const nl = smaps.find('\n');
    std::string_view const line = smaps.substr(0, nl);
    smaps.remove_prefix(nl == std::string_view::npos ? smaps.size() : nl + 1);
    if (line.starts_with("VmFlags:")) {
      if (!out.empty()) out.back().map_sync = vmflags_has(line, "sf");
      continue;
    }
    if (!is_mapping_header(line)) continue;
    if (auto const e = parse_maps_line(line)) out.push_back(SmapsSync{e->start, e->end, false});
  }
  return out;
}

}  // namespace daxd::host::linux_impl
