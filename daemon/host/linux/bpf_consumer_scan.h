// SPDX-License-Identifier: Apache-2.0
// The consumer scan done by BPF iterators in the kernel (consumer_scan.bpf.c): one pass over
// every task's files, mappings and cwd/root/exe for the whole system, where the /proc scan
// costs about a dozen syscalls per process.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "daemon/host/processes.h"

struct consumer_scan_bpf;  // the bpftool skeleton

namespace daxd::host::linux_impl {

class BpfConsumerScan {
 public:
  /// Loads and attaches the iterators. Errors say why the kernel would not have them: no BPF
  /// or BTF, no CAP_BPF, or daxd in a child pid namespace (the kernel reports global pids).
  static Result<std::unique_ptr<BpfConsumerScan>> load();

  BpfConsumerScan(BpfConsumerScan const&) = delete;
  BpfConsumerScan& operator=(BpfConsumerScan const&) = delete;
  ~BpfConsumerScan();

  /// What LinuxProcesses::find_consumers returns, from the kernel's records. Errors:
  /// invalid_argument (more than the maps hold), io_error (an iterator read failed).
  Result<std::vector<Consumer>> scan(ConsumerQuery const& query);

 private:
  explicit BpfConsumerScan(consumer_scan_bpf* skel) : skel_(skel) {}
  Result<void> set_query(ConsumerQuery const& query);
  Result<void> read_iterator(int link_fd, std::vector<char>& out);

  consumer_scan_bpf* skel_;
  std::mutex mutex_;  // one scan at a time: the maps hold one query and one scratch per CPU
};

}  // namespace daxd::host::linux_impl
