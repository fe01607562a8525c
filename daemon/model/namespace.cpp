// SPDX-License-Identifier: Apache-2.0
// Namespace mode names, with the aliases ndctl accepts.
#include "daemon/model/namespace.h"

namespace daxd {

std::string_view to_string(NamespaceMode mode) {
  switch (mode) {
    case NamespaceMode::fsdax:
      return "fsdax";
    case NamespaceMode::devdax:
      return "devdax";
    case NamespaceMode::sector:
      return "sector";
    case NamespaceMode::raw:
      return "raw";
  }
  return "raw";
}

Result<NamespaceMode> parse_namespace_mode(std::string_view text) {
  if (text == "fsdax" || text == "memory") return NamespaceMode::fsdax;
  if (text == "devdax" || text == "dax") return NamespaceMode::devdax;
  if (text == "sector" || text == "safe") return NamespaceMode::sector;
  if (text == "raw") return NamespaceMode::raw;
  return Fail(Errc::invalid_argument, "unknown namespace mode '" + std::string(text) +
                                          "': expected fsdax, devdax, sector or raw");
}

}  // namespace daxd
