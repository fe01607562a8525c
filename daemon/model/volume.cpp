// SPDX-License-Identifier: Apache-2.0
// Names of volume enums for JSON and their parsers.
#include "daemon/model/volume.h"

namespace daxd {

std::string_view to_string(VolumeLayout v) {
  switch (v) {
    case VolumeLayout::linear:
      return "linear";
    case VolumeLayout::striped:
      return "striped";
  }
  return "linear";
}

std::string_view to_string(DaxMode v) {
  switch (v) {
    case DaxMode::always:
      return "always";
    case DaxMode::never:
      return "never";
    case DaxMode::inode:
      return "inode";
  }
  return "always";
}

std::string_view to_string(FsType v) {
  switch (v) {
    case FsType::none:
      return "none";
    case FsType::ext4:
      return "ext4";
    case FsType::xfs:
      return "xfs";
  }
  return "none";
}

std::string_view to_string(VolumeState v) {
  switch (v) {
    case VolumeState::active:
      return "active";
    case VolumeState::degraded:
      return "degraded";
    case VolumeState::failed:
      return "failed";
    case VolumeState::unmounted:
      return "unmounted";
  }
  return "failed";
}

Result<VolumeLayout> parse_volume_layout(std::string_view text) {
  if (text == "linear") return VolumeLayout::linear;
  if (text == "striped") return VolumeLayout::striped;
  return Fail(Errc::invalid_argument,
              "unknown layout '" + std::string(text) + "': expected linear or striped");
}

Result<DaxMode> parse_dax_mode(std::string_view text) {
  if (text == "always") return DaxMode::always;
  if (text == "never") return DaxMode::never;
  if (text == "inode") return DaxMode::inode;
  return Fail(Errc::invalid_argument,
              "unknown dax mode '" + std::string(text) + "': expected always, never or inode");
}

Result<FsType> parse_fs_type(std::string_view text) {
  if (text == "ext4") return FsType::ext4;
  if (text == "xfs") return FsType::xfs;
  if (text == "none") return FsType::none;
  return Fail(Errc::invalid_argument,
              "unknown filesystem '" + std::string(text) + "': expected ext4, xfs or none");
}

std::string dm_name_for(std::string_view volume_name) { return "daxd-" + std::string(volume_name); }

}  // namespace daxd
