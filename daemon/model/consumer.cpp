// SPDX-License-Identifier: Apache-2.0
// Names of consumer kinds as they appear in JSON and in refusal messages.
#include "daemon/model/consumer.h"

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

}  // namespace daxd
