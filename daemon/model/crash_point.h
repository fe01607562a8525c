// SPDX-License-Identifier: Apache-2.0
// Named crash points: in test builds, DAXD_CRASH_AT=<name> makes the process die at that point.
#pragma once

#if defined(DAXD_ENABLE_CRASH_POINTS)
namespace daxd::testing {
/// Kills the process with SIGKILL when DAXD_CRASH_AT equals `name` (the test equivalent of a
/// power cut: no destructors, no flush beyond what is already durable).
void crash_point(char const* name);
}  // namespace daxd::testing
#define DAXD_CRASH_POINT(name) ::daxd::testing::crash_point(name)
#else
#define DAXD_CRASH_POINT(name) ((void)0)
#endif
