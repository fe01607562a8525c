// SPDX-License-Identifier: Apache-2.0
// Guest program: daxd's two consumer scans side by side on the real kernel. For the filesystem
// holding PATH (and, for a device node, that device), the BPF iterators and the /proc scan must
// find the same consumers, flags included; prints them.
//
// Usage: scan_compare PATH
// Exit: 0 the same, 1 they differ (both printed) or a scan failed, 2 usage, 3 BPF did not load.
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "daemon/host/linux/linux_processes.h"

namespace {

using daxd::host::linux_impl::LinuxProcesses;
using daxd::host::linux_impl::ScanMethod;

std::vector<std::string> lines(std::vector<daxd::Consumer> const& found) {
  std::vector<std::string> out;
  for (daxd::Consumer const& c : found) {
    out.push_back(std::to_string(c.pid) + " " + std::string(to_string(c.kind)) + " " + c.path +
                  " [" + c.command + "]" + (c.map_sync ? " map_sync" : "") + (c.dax ? " dax" : ""));
  }
  return out;
}

void print(char const* title, std::vector<std::string> const& found) {
  std::printf("%s: %zu\n", title, found.size());
  for (std::string const& l : found) std::printf("  %s\n", l.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return std::fprintf(stderr, "usage: scan_compare PATH\n"), 2;
  struct stat st {};
  if (::stat(argv[1], &st) != 0) return std::perror(argv[1]), 2;
  daxd::host::ConsumerQuery q;
  q.filesystems.push_back(daxd::DevNumber{major(st.st_dev), minor(st.st_dev)});
  if (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)) {
    q.devices.push_back(daxd::DevNumber{major(st.st_rdev), minor(st.st_rdev)});
  }
  LinuxProcesses bpf("/proc", ScanMethod::automatic);
  if (bpf.scan_method() != "bpf") {
    return std::fprintf(stderr, "scan_compare: %s\n", bpf.scan_method().c_str()), 3;
  }
  LinuxProcesses proc("/proc", ScanMethod::proc);
  // Processes come and go between two scans: a difference must last three tries to count.
  std::vector<std::string> by_bpf, by_proc;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto const b = bpf.find_consumers(q);
    auto const p = proc.find_consumers(q);
    if (!b || !p) {
      std::fprintf(stderr, "scan_compare: %s\n", (!b ? b.error() : p.error()).message.c_str());
      return 1;
    }
    by_bpf = lines(*b);
    by_proc = lines(*p);
    if (by_bpf == by_proc) {
      print("same consumers, bpf and /proc", by_bpf);
      return 0;
    }
    ::usleep(200'000);
  }
  print("bpf", by_bpf);
  print("/proc", by_proc);
  return 1;
}
