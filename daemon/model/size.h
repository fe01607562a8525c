// SPDX-License-Identifier: Apache-2.0
// Parsing and formatting of byte sizes the way ndctl does ("1G", "256M", "4096").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/model/result.h"

namespace daxd {

/// Parses bytes with an optional binary suffix K, M, G, T (also "KiB", "MB"... all powers of
/// 1024, as ndctl). Errors: invalid_argument (empty, junk, zero when !allow_zero, overflow).
Result<std::uint64_t> parse_size(std::string_view text, bool allow_zero = false);

/// ndctl's -u form: "1024.00 MiB (1073.74 MB)"; below 5000 KiB ndctl keeps the plain number,
/// and so this returns its decimal digits (callers emit it as a JSON number).
std::string format_size_human(std::uint64_t bytes);

}  // namespace daxd
