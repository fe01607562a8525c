// SPDX-License-Identifier: Apache-2.0
// NVDIMM and device-mapper on a machine without them: empty lists, clear refusals.
#include <filesystem>

#include <gtest/gtest.h>

#include "daemon/host/linux/linux_device_mapper.h"
#include "daemon/host/linux/linux_host.h"
#include "daemon/host/linux/linux_nvdimm.h"

namespace daxd::host::linux_impl {
namespace {

bool machine_has_regions() {
  std::error_code ec;
  for (auto const& e : std::filesystem::directory_iterator("/sys/bus/nd/devices", ec)) {
    if (e.path().filename().string().starts_with("region")) return true;
  }
  return false;
}

TEST(LinuxNvdimm, ListsSucceedAndAreEmptyWithoutNvdimms) {
  LinuxNvdimm nvdimm;
  auto const regions = nvdimm.list_regions();
  auto const namespaces = nvdimm.list_namespaces();
  ASSERT_TRUE(regions.has_value()) << regions.error().message;
  ASSERT_TRUE(namespaces.has_value()) << namespaces.error().message;
  if (machine_has_regions()) GTEST_SKIP() << "this machine has NVDIMM regions";
  EXPECT_TRUE(regions->empty());
  EXPECT_TRUE(namespaces->empty());
}

TEST(LinuxNvdimm, UnknownRegionAndNamespaceAreNotFound) {
  LinuxNvdimm nvdimm;
  NamespaceSpec spec;
  spec.region = "region999";
  spec.size = 1U << 30;
  auto const created = nvdimm.create_namespace(spec);
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().code, Errc::not_found) << created.error().message;
  EXPECT_EQ(nvdimm.destroy_namespace("namespace999.0").error().code, Errc::not_found);
  EXPECT_EQ(nvdimm.reconfigure_namespace("namespace999.0", NamespaceMode::devdax).error().code,
            Errc::not_found);
}

TEST(LinuxDeviceMapper, ListDevicesWorks) {
  LinuxDeviceMapper dm;
  auto const devices = dm.list_devices();
  ASSERT_TRUE(devices.has_value()) << devices.error().message;
}

TEST(LinuxDeviceMapper, OperationsOnAMissingDeviceFail) {
  LinuxDeviceMapper dm;
  auto const r = dm.resume("daxd-test-no-such-device");
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().code == Errc::not_found || r.error().code == Errc::unavailable)
      << r.error().message;
}

TEST(LinuxHost, DescribesItselfAsLinux) {
  auto host = make_linux_host();
  ASSERT_TRUE(host.has_value());
  EXPECT_EQ((*host)->describe(), "linux");
}

}  // namespace
}  // namespace daxd::host::linux_impl
