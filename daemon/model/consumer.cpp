// SPDX-License-Identifier: Apache-2.0
// Names of consumer kinds as they appear in JSON and in refusal messages, and the one order
// of a consumer list.
#include "daemon/model/consumer.h"

#include <algorithm>
#include <tuple>

namespace daxd {

std::string_view to_string(ConsumerKind kind) {
  switch (kind) {
    case ConsumerKind::mount:
      return "mount";
    case ConsumerKind::fd:
      return "fd";
    case ConsumerKind::mapping:
      return "mapping";
    case ConsumerKind::cwd:
      return "cwd";
    case ConsumerKind::root:
      return "root";
    case ConsumerKind::exe:
      return "exe";
    case ConsumerKind::holder:
      return "holder";
  }
  return "fd";
}

void sort_and_merge(std::vector<Consumer>& consumers) {
  auto const key = [](Consumer const& c) { return std::tie(c.pid, c.kind, c.path); };
  std::sort(consumers.begin(), consumers.end(),
            [&](Consumer const& a, Consumer const& b) { return key(a) < key(b); });
  auto kept = consumers.begin();
  for (auto it = consumers.begin(); it != consumers.end(); ++it) {
    if (it != consumers.begin() && key(*it) == key(*std::prev(kept))) {
      std::prev(kept)->map_sync = std::prev(kept)->map_sync || it->map_sync;
      std::prev(kept)->dax = std::prev(kept)->dax || it->dax;
      continue;
    }
    if (kept != it) *kept = std::move(*it);
    ++kept;
  }
  consumers.erase(kept, consumers.end());
}

}  // namespace daxd
