// SPDX-License-Identifier: Apache-2.0
// The text parsers: sizes, names, mountpoints, modes, /proc maps and smaps, device numbers, and
// a mountinfo table read through libmount as daxd reads /proc/self/mountinfo.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/host/linux/linux_filesystems.h"
#include "daemon/host/linux/proc_parsers.h"
#include "daemon/model/names.h"
#include "daemon/model/size.h"
#include "daemon/model/volume.h"

namespace {

namespace li = daxd::host::linux_impl;

void parse_mountinfo(std::string_view text) {
  // A memfd stands in for /proc/self/mountinfo: libmount reads it through its path.
  int const fd = ::memfd_create("mountinfo", MFD_CLOEXEC);
  if (fd < 0) return;
  if (::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size())) {
    ignore_result(li::read_mount_table("/proc/self/fd/" + std::to_string(fd)));
  }
  ::close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view const text(reinterpret_cast<char const*>(data + 1), size - 1);
  switch (data[0] % 8) {
    case 0:
      ignore_result(daxd::parse_size(text));
      ignore_result(daxd::parse_size(text, /*allow_zero=*/true));
      break;
    case 1:
      ignore_result(daxd::validate_name("name", text));
      ignore_result(daxd::validate_kernel_name("namespace", text));
      break;
    case 2:
      ignore_result(daxd::validate_mountpoint(text));
      break;
    case 3:
      ignore_result(daxd::parse_dax_mode(text));
      ignore_result(daxd::parse_fs_type(text));
      ignore_result(daxd::parse_volume_layout(text));
      break;
    case 4:
      (void)li::parse_maps_line(text);
      (void)li::parse_hex_dev(text);
      (void)li::parse_decimal_dev(text);
      break;
    case 5:
      (void)li::parse_smaps_sync(text);
      (void)li::vmflags_has(text, "sf");
      break;
    case 6:
      (void)li::dax_from_options(std::string(text));
      break;
    case 7:
      parse_mountinfo(text);
      break;
  }
  return 0;
}
