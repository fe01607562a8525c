// SPDX-License-Identifier: Apache-2.0
// Prints JSON exactly as json-c's JSON_C_TO_STRING_PRETTY does, which is what ndctl prints.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace daxd::cli {

/// json-c pretty form: two-space indent, `"key":value` without a space, containers opened on the
/// same line, "{}"/"[]" when empty, '/' escaped as "\/". No trailing newline.
std::string to_ndctl_json(nlohmann::ordered_json const& value);

}  // namespace daxd::cli
