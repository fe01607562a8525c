// SPDX-License-Identifier: Apache-2.0
// The fixed key order keeps daxadm's output stable whatever order daxd sends.
#include "cli/hook_format.h"

namespace daxd::cli {

nlohmann::ordered_json hook_object(nlohmann::json const& hook) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (auto const* key : {"id", "volume", "name", "kind", "argv", "url", "timeout_ms"}) {
    if (hook.contains(key)) out[key] = hook.at(key);
  }
  return out;
}

}  // namespace daxd::cli
