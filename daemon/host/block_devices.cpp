// SPDX-License-Identifier: Apache-2.0
// The default BlockDevices of a host that cannot copy (tests' fakes): every copy is refused.
#include "daemon/host/block_devices.h"

#include "daemon/host/host.h"

namespace daxd::host {
namespace {

class NoBlockDevices final : public BlockDevices {
 public:
  Result<CopyStats> copy(std::string_view, std::string_view, std::uint64_t) override {
    return Fail(Errc::unsupported, "this host cannot copy block devices");
  }
};

}  // namespace

BlockDevices& Host::block_devices() {
  static NoBlockDevices none;  // stateless
  return none;
}

}  // namespace daxd::host
