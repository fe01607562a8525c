// SPDX-License-Identifier: Apache-2.0
// Validation of user-chosen names and paths before anything touches the host.
#pragma once

#include <string_view>

#include "daemon/model/result.h"

namespace daxd {

/// A namespace, volume, snapshot or hook name: 1-63 characters of [A-Za-z0-9_.-], starting with
/// a letter or digit (it must fit the 64-byte label name and a dm name). Errors: invalid_argument.
Result<void> validate_name(std::string_view what, std::string_view name);

/// A kernel device name such as "region0" or "namespace0.1". Errors: invalid_argument.
Result<void> validate_kernel_name(std::string_view prefix, std::string_view name);

/// A mountpoint: absolute, normalised (no "." or ".." components, no "//"), not "/", not under
/// /proc, /sys, /dev or /run/daxd. Errors: invalid_argument.
Result<void> validate_mountpoint(std::string_view path);

}  // namespace daxd
