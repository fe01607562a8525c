// SPDX-License-Identifier: Apache-2.0
// The fixture every conformance scenario uses: a fresh host, lookups by name, best-effort cleanup.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/host/host.h"
#include "daemon/model/error.h"
#include "daemon/model/result.h"
#include "tests/conformance/conformance_host.h"

namespace daxd::conformance {

inline constexpr std::uint64_t kMiB = 1024ULL * 1024ULL;
/// Every object a scenario creates carries this prefix; TearDown removes only those.
inline constexpr std::string_view kPrefix = "c-";

/// "busy: pmem0: mounted" for assertion messages.
std::string describe(Error const& e);

/// Asserts that `expr` (a Result<T>) succeeded and moves its value into `lhs`.
#define CONF_ASSIGN_OR_FAIL(lhs, expr) \
  CONF_ASSIGN_OR_FAIL_IMPL(DAXD_CONCAT(conf_result_, __LINE__), lhs, expr)
#define CONF_ASSIGN_OR_FAIL_IMPL(tmp, lhs, expr)                                             \
  auto tmp = (expr);                                                                         \
  ASSERT_TRUE(tmp.has_value()) << #expr                                                      \
                               << " failed: " << ::daxd::conformance::describe(tmp.error()); \
  lhs = std::move(tmp).value()
/// Asserts that a Result<void> succeeded.
#define CONF_ASSERT_OK(expr)                                                        \
  do {                                                                              \
    auto const conf_ok_ = (expr);                                                   \
    ASSERT_TRUE(conf_ok_.has_value())                                               \
        << #expr << " failed: " << ::daxd::conformance::describe(conf_ok_.error()); \
  } while (0)

class Conformance : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  host::Host& host() { return *host_.host; }
  host::Nvdimm& nvdimm() { return host_.host->nvdimm(); }
  host::DeviceMapper& dm() { return host_.host->device_mapper(); }
  host::Filesystems& fs() { return host_.host->filesystems(); }

  /// A spec on region0 unless told otherwise.
  static host::NamespaceSpec spec(std::string name, NamespaceMode mode, std::uint64_t size,
                                  std::string region = "region0");
  /// The listed namespace whose label name is `name`. Errors: not_found.
  Result<Namespace> find_namespace(std::string_view name);
  /// The listed region `dev`. Errors: not_found.
  Result<Region> find_region(std::string_view dev);
  /// The listed dm device `name`. Errors: not_found.
  Result<DmDevice> find_dm(std::string_view name);
  /// The mount at `target`. Errors: not_found.
  Result<MountEntry> find_mount(std::string_view target);
  /// A one-segment linear table over the whole block device of `ns`.
  static std::vector<DmTarget> linear_over(Namespace const& ns);

 private:
  ConformanceHost host_;
};

}  // namespace daxd::conformance
