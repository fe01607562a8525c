// SPDX-License-Identifier: Apache-2.0
// host::Processes for the real kernel: who uses devices and filesystems, found by BPF iterators
// where the kernel allows them, else by a /proc scan.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "daemon/host/processes.h"

namespace daxd::host::linux_impl {

class BpfConsumerScan;

enum class ScanMethod {
  automatic,  // BPF iterators if they load, else /proc
  proc,       // /proc only
  bpf,        // BPF iterators only: find_consumers fails if they did not load
};

class LinuxProcesses final : public Processes {
 public:
  /// `proc_root` is "/proc" except in tests; another root scans /proc-style files only.
  explicit LinuxProcesses(std::string proc_root = "/proc",
                          ScanMethod method = ScanMethod::automatic);
  ~LinuxProcesses() override;

  Result<std::vector<Consumer>> find_consumers(ConsumerQuery const& query) override;
  Result<void> send_signal(int pid, int signal) override;

  /// "bpf", or "/proc" with why BPF is not used. The choice is made (BPF loaded) at the first
  /// call or scan.
  std::string const& scan_method();

  /// The choice is printed on stderr when it is made (the daemon's journal).
  void announce_choice() { announce_ = true; }

 private:
  Result<std::vector<Consumer>> scan_proc(ConsumerQuery const& query);

  std::string proc_root_;
  ScanMethod method_;
  bool announce_ = false;
  std::once_flag chosen_;
  std::unique_ptr<BpfConsumerScan> bpf_;
  std::string method_text_;
};

}  // namespace daxd::host::linux_impl
