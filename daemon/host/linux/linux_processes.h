// SPDX-License-Identifier: Apache-2.0
// host::Processes for the real kernel: a /proc scan for users of devices and filesystems.
#pragma once

#include "daemon/host/processes.h"

namespace daxd::host::linux_impl {

class LinuxProcesses final : public Processes {
 public:
  /// `proc_root` is "/proc" except in tests.
  explicit LinuxProcesses(std::string proc_root = "/proc") : proc_root_(std::move(proc_root)) {}

  Result<std::vector<Consumer>> find_consumers(ConsumerQuery const& query) override;
  Result<void> send_signal(int pid, int signal) override;

 private:
  std::string proc_root_;
};

}  // namespace daxd::host::linux_impl
