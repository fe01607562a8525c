// SPDX-License-Identifier: Apache-2.0
// A daxd volume: a dm table over fsdax namespaces with an optional DAX filesystem on top.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/model/result.h"

namespace daxd {

enum class VolumeLayout { linear, striped };
enum class DaxMode { always, never, inode };
enum class FsType { none, ext4, xfs };
enum class VolumeState { active, degraded, failed, unmounted };

std::string_view to_string(VolumeLayout v);
std::string_view to_string(DaxMode v);
std::string_view to_string(FsType v);
std::string_view to_string(VolumeState v);
/// Errors: invalid_argument.
Result<VolumeLayout> parse_volume_layout(std::string_view text);
Result<DaxMode> parse_dax_mode(std::string_view text);
Result<FsType> parse_fs_type(std::string_view text);

/// A run of sectors of one namespace's block device used by a volume.
struct Extent {
  std::string namespace_name;  // the label name of the fsdax namespace
  std::uint64_t offset = 0;    // bytes into the namespace's block device
  std::uint64_t length = 0;    // bytes

  friend bool operator==(Extent const&, Extent const&) = default;
};

struct Volume {
  std::string name;  // "db"; the dm device is "daxd-db"
  VolumeLayout layout = VolumeLayout::linear;
  std::uint64_t size = 0;         // bytes
  std::uint64_t stripe_size = 0;  // bytes, striped only
  std::vector<Extent> extents;
  FsType filesystem = FsType::none;
  std::string mountpoint;  // empty when not mounted by daxd
  DaxMode dax = DaxMode::always;
  VolumeState state = VolumeState::active;
  std::string dm_name;      // "daxd-db"
  std::string blockdev;     // "dm-3"
  bool dax_capable = true;  // false while a cow snapshot suspends DAX
  std::string reason;       // why the state is failed or degraded ("namespace 'a' is gone")

  friend bool operator==(Volume const&, Volume const&) = default;
};

/// The dm device name daxd uses for a volume.
std::string dm_name_for(std::string_view volume_name);

}  // namespace daxd
