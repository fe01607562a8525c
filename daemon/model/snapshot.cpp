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

}  // namespace daxd
