// SPDX-License-Identifier: Apache-2.0
// Size parsing: strict (no signs, no spaces, no overflow) because sizes come from users.
#include "daemon/model/size.h"

#include <array>
#include <charconv>
#include <cstdio>

namespace daxd {
namespace {

Result<std::uint64_t> suffix_multiplier(std::string_view suffix) {
  if (suffix.empty() || suffix == "B") return std::uint64_t{1};
  // Accept "K", "KB", "KiB" (and lower case) as 1024, like ndctl's parse_size64.
  char const unit = suffix.front();
  std::string_view rest = suffix.substr(1);
  if (!(rest.empty() || rest == "B" || rest == "iB" || rest == "b" || rest == "ib")) {
    return Fail(Errc::invalid_argument, "unknown size suffix '" + std::string(suffix) + "'");
  }
  switch (unit) {
    case 'k':
    case 'K':
      return std::uint64_t{1} << 10;
    case 'm':
    case 'M':
      return std::uint64_t{1} << 20;
    case 'g':
    case 'G':
      return std::uint64_t{1} << 30;
    case 't':
    case 'T':
      return std::uint64_t{1} << 40;
    default:
      break;
  }
  return Fail(Errc::invalid_argument, "unknown size suffix '" + std::string(suffix) + "'");
}

}  // namespace

Result<std::uint64_t> parse_size(std::string_view text, bool allow_zero) {
  if (text.empty()) return Fail(Errc::invalid_argument, "size is empty");
  std::uint64_t number = 0;
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc::result_out_of_range) {
    return Fail(Errc::invalid_argument, "size '" + std::string(text) + "' is too large");
  }
  if (ec != std::errc{} || end == text.data()) {
    return Fail(Errc::invalid_argument, "size '" + std::string(text) + "' is not a number");
  }
  auto const suffix = text.substr(static_cast<std::size_t>(end - text.data()));
  DAXD_ASSIGN_OR_RETURN(std::uint64_t const mult, suffix_multiplier(suffix));
  if (number != 0 && mult > UINT64_MAX / number) {
    return Fail(Errc::invalid_argument, "size '" + std::string(text) + "' is too large");
  }
  if (number == 0 && !allow_zero) {
    return Fail(Errc::invalid_argument, "size must be greater than zero");
  }
  return number * mult;
}

std::string format_size_human(std::uint64_t bytes) {
  // ndctl's display_size (util/json.c, after mdadm): plain bytes below 5000 KiB; MiB/MB below
  // 2 GiB (more precision than GiB), GiB/GB below 2 TiB, then TiB/TB; rounded to 1/100.
  constexpr std::uint64_t kMiB = 1ull << 20, kGiB = 1ull << 30, kTiB = 1ull << 40;
  if (bytes < 5000 * 1024) return std::to_string(bytes);
  auto const centi = [bytes](std::uint64_t unit) {
    // (bytes * 200 / unit + 1) / 2 without overflowing for large sizes.
    long double const v = static_cast<long double>(bytes) * 200.0L / static_cast<long double>(unit);
    return (static_cast<std::uint64_t>(v) + 1) / 2;
  };
  std::uint64_t bin_unit = kMiB, dec_unit = 1000000ull;
  char const* bin = "MiB";
  char const* dec = "MB";
  if (bytes >= 2 * kTiB) {
    bin_unit = kTiB;
    dec_unit = 1000000000000ull;
    bin = "TiB";
    dec = "TB";
  } else if (bytes >= 2 * kGiB) {
    bin_unit = kGiB;
    dec_unit = 1000000000ull;
    bin = "GiB";
    dec = "GB";
  }
  auto const b = centi(bin_unit);
  auto const d = centi(dec_unit);
  std::array<char, 96> buf{};
  std::snprintf(buf.data(), buf.size(), "%llu.%02llu %s (%llu.%02llu %s)",
                static_cast<unsigned long long>(b / 100), static_cast<unsigned long long>(b % 100),
                bin, static_cast<unsigned long long>(d / 100),
                static_cast<unsigned long long>(d % 100), dec);
  return buf.data();
}

}  // namespace daxd
