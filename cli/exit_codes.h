// SPDX-License-Identifier: Apache-2.0
// The one place where daxadm's exit codes are decided (ndctl's convention: 0, 1, 2).
#pragma once

#include "daemon/model/error.h"

namespace daxd::cli {

inline constexpr int kExitSuccess = 0;
inline constexpr int kExitFailure = 1;  // daxd refused or the change failed
inline constexpr int kExitUsage = 2;    // bad arguments, or daxd could not be reached

/// Who produced an error: daxd (a problem+json answer) or daxadm itself (arguments, transport).
enum class ErrorOrigin { daxd, client };

/// Any error daxd reports is a failure (1); on daxadm's side, bad arguments and an unreachable
/// or silent daxd are usage/environment errors (2), anything else a failure (1).
int exit_code_for(Errc code, ErrorOrigin origin);

}  // namespace daxd::cli
