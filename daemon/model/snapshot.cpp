// SPDX-License-Identifier: Apache-2.0
// Names of snapshot methods.
#include "daemon/model/snapshot.h"

namespace daxd {

std::string_view to_string(SnapshotMethod m) {
  switch (m) {
    case SnapshotMethod::cow:
      return "cow";
    case SnapshotMethod::copy:
      return "copy";
  }
  return "copy";
}

Result<SnapshotMethod> parse_snapshot_method(std::string_view text) {
  if (text == "cow") return SnapshotMethod::cow;
  if (text == "copy") return SnapshotMethod::copy;
  return Fail(Errc::invalid_argument,
              "unknown snapshot method '" + std::string(text) + "': expected cow or copy");
}

std::string snapshot_dm_name(std::string_view volume, std::string_view snapshot) {
  return dm_name_for(volume) + "@" + std::string(snapshot);
}

std::string snapshot_cow_dm_name(std::string_view volume, std::string_view snapshot) {
  return snapshot_dm_name(volume, snapshot) + "+cow";
}

std::string origin_real_dm_name(std::string_view volume) { return dm_name_for(volume) + "+real"; }

}  // namespace daxd
