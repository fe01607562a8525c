// SPDX-License-Identifier: Apache-2.0
// The choice between the BPF scan (bpf_consumer_scan.cpp) and the /proc scan, and the /proc
// scan itself: fds, mappings (MAP_SYNC from smaps only for shared DAX mappings), cwd, root and
// exe. Every lookup is relative to a /proc/PID directory fd, files are read with read(2) into
// one buffer per thread, and the pids are shared among a few threads.
#include "daemon/host/linux/linux_processes.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "daemon/host/linux/bpf_consumer_scan.h"
#include "daemon/host/linux/ndctl_handles.h"
#include "daemon/host/linux/proc_parsers.h"

namespace daxd::host::linux_impl {
namespace {

constexpr std::size_t kMaxThreads = 4;
constexpr std::size_t kPidsPerThread = 128;  // fewer pids than this per thread: not worth one
constexpr std::size_t kChunk = 16;           // pids a thread claims at a time

DevNumber dev_of(dev_t d) { return DevNumber{major(d), minor(d)}; }

bool contains(std::vector<DevNumber> const& list, DevNumber d) {
  return std::find(list.begin(), list.end(), d) != list.end();
}

bool contains_file(std::vector<FileId> const& files, DevNumber dev, std::uint64_t inode) {
  return std::find(files.begin(), files.end(), FileId{dev, inode}) != files.end();
}

/// What one stat() result matches in the query: the filesystem, one of the files, or the
/// device node itself.
bool stat_matches(struct stat const& st, ConsumerQuery const& q) {
  if (contains(q.filesystems, dev_of(st.st_dev))) return true;
  if (contains_file(q.files, dev_of(st.st_dev), st.st_ino)) return true;
  bool const is_dev = S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode);
  return is_dev && contains(q.devices, dev_of(st.st_rdev));
}

std::string read_link_at(int dir_fd, char const* name) {
  char buf[4096];
  ssize_t const n = ::readlinkat(dir_fd, name, buf, sizeof buf);
  if (n < 0) return {};
  return std::string(buf, static_cast<std::size_t>(n));
}

bool is_dax_at(int dir_fd, char const* name) {
  struct statx sx {};
  if (::statx(dir_fd, name, 0, STATX_BASIC_STATS, &sx) != 0) return false;
  return (sx.stx_attributes & STATX_ATTR_DAX) != 0;
}

/// A growable read buffer, reused for every file one thread reads.
class ReadBuffer {
 public:
  /// The whole of `name` under `dir_fd`; empty when it cannot be opened or read.
  std::string_view read_at(int dir_fd, char const* name) {
    UniqueFd const fd(::openat(dir_fd, name, O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return {};
    std::size_t used = 0;
    for (;;) {
      if (data_.size() - used < kMinRoom) data_.resize(std::max(data_.size() * 2, kInitial));
      ssize_t const n = ::read(fd.get(), data_.data() + used, data_.size() - used);
      if (n <= 0) break;
      used += static_cast<std::size_t>(n);
    }
    return {data_.data(), used};
  }

 private:
  static constexpr std::size_t kInitial = 64 * 1024;
  static constexpr std::size_t kMinRoom = 4096;
  std::vector<char> data_;
};

/// What one thread keeps from pid to pid.
struct Scratch {
  ReadBuffer buffer;
  std::vector<MapsEntry> matched;
  std::vector<bool> dax;  // of each matched mapping
  std::vector<Consumer> out;
};

/// Collects consumers of one process, de-duplicated by (kind, path).
class ProcessScan {
 public:
  ProcessScan(int pid_fd, int pid, ConsumerQuery const& q, Scratch& s)
      : pid_fd_(pid_fd), pid_(pid), q_(q), s_(s), first_(s.out.size()) {}

  void scan_links() {
    check_link("cwd", ConsumerKind::cwd);
    check_link("root", ConsumerKind::root);
    check_link("exe", ConsumerKind::exe);
  }

  /// `skip` lists fds of this very process that the scan itself holds (own pid only).
  void scan_fds(std::vector<int> const& skip) {
    int const fd_dir = ::openat(pid_fd_, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_dir < 0) return;  // vanished or not ours to read
    DIR* d = ::fdopendir(fd_dir);
    if (d == nullptr) {
      ::close(fd_dir);
      return;
    }
    while (dirent* ent = ::readdir(d)) {
      if (ent->d_name[0] == '.') continue;
      if (!skip.empty()) {
        int const fd = std::atoi(ent->d_name);
        if (fd == fd_dir || std::find(skip.begin(), skip.end(), fd) != skip.end()) continue;
      }
      struct stat st {};
      if (::fstatat(fd_dir, ent->d_name, &st, 0) != 0 || !stat_matches(st, q_)) continue;
      add(ConsumerKind::fd, read_link_at(fd_dir, ent->d_name), false,
          is_dax_at(fd_dir, ent->d_name));
    }
    ::closedir(d);
  }

  void scan_maps() {
    s_.matched.clear();
    std::string_view text = s_.buffer.read_at(pid_fd_, "maps");
    while (!text.empty()) {
      std::size_t const nl = text.find('\n');
      std::string_view const line = text.substr(0, nl);
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
      // Anonymous and special mappings have no path starting with '/': skip them unparsed.
      std::size_t const slash = line.find('/');
      if (slash == std::string_view::npos) continue;
      auto const e = parse_maps_line(line);
      if (!e || e->path.empty() || e->path.front() != '/') continue;
      if (mapping_matches(*e)) s_.matched.push_back(*e);
    }
    if (s_.matched.empty()) return;
    // smaps costs the kernel about twice what maps does: read it only when a matching mapping
    // could carry MAP_SYNC at all, i.e. it is shared (MAP_SHARED_VALIDATE) and DAX (the kernel
    // refuses MAP_SYNC on anything else).
    s_.dax.clear();
    bool need_smaps = false;
    for (MapsEntry const& e : s_.matched) {
      s_.dax.push_back(mapping_is_dax(e));
      need_smaps = need_smaps || (s_.dax.back() && e.perms.size() == 4 && e.perms[3] == 's');
    }
    std::vector<SmapsSync> sync;
    if (need_smaps) sync = parse_smaps_sync(s_.buffer.read_at(pid_fd_, "smaps"));
    for (std::size_t i = 0; i < s_.matched.size(); ++i) {
      MapsEntry const& e = s_.matched[i];
      bool const map_sync = std::any_of(sync.begin(), sync.end(), [&](SmapsSync const& s) {
        return s.start == e.start && s.map_sync;
      });
      add(ConsumerKind::mapping, e.path, map_sync, s_.dax[i]);
    }
  }

  /// Names this process's consumers after its comm (read only when there are any).
  void finish() {
    if (s_.out.size() == first_) return;
    std::string comm(s_.buffer.read_at(pid_fd_, "comm"));
    while (!comm.empty() && comm.back() == '\n') comm.pop_back();
    for (std::size_t i = first_; i < s_.out.size(); ++i) s_.out[i].command = comm;
  }

 private:
  bool mapping_matches(MapsEntry const& e) const {
    if (contains(q_.filesystems, e.dev)) return true;
    if (contains_file(q_.files, e.dev, e.inode)) return true;
    if (q_.devices.empty() || !e.path.starts_with("/dev/")) return false;
    struct stat st {};
    if (::stat(e.path.c_str(), &st) != 0) return false;
    bool const is_dev = S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode);
    return is_dev && contains(q_.devices, dev_of(st.st_rdev));
  }

  static bool mapping_is_dax(MapsEntry const& e) {
    if (e.path.starts_with("/dev/dax")) return true;  // device-dax is DAX by construction
    return is_dax_at(AT_FDCWD, e.path.c_str());
  }

  void check_link(char const* name, ConsumerKind kind) {
    struct stat st {};
    if (::fstatat(pid_fd_, name, &st, 0) != 0) return;
    bool const hit = contains(q_.filesystems, dev_of(st.st_dev)) ||
                     contains_file(q_.files, dev_of(st.st_dev), st.st_ino);
    if (!hit) return;
    add(kind, read_link_at(pid_fd_, name), false, false);
  }

  void add(ConsumerKind kind, std::string path, bool map_sync, bool dax) {
    if (path.empty()) return;  // the process went away between stat and readlink
    for (std::size_t i = first_; i < s_.out.size(); ++i) {
      Consumer& c = s_.out[i];
      if (c.kind == kind && c.path == path) {
        c.map_sync = c.map_sync || map_sync;
        c.dax = c.dax || dax;
        return;
      }
    }
    Consumer c;
    c.kind = kind;
    c.pid = pid_;
    c.path = std::move(path);
    c.map_sync = map_sync;
    c.dax = dax;
    s_.out.push_back(std::move(c));
  }

  int pid_fd_;
  int pid_;
  ConsumerQuery const& q_;
  Scratch& s_;
  std::size_t first_;  // this process's consumers start here in s_.out
};

/// Scans one pid into `s.out`; a process that vanished mid-scan simply yields nothing more.
void scan_pid(int proc_fd, int pid, ConsumerQuery const& q, Scratch& s,
              std::vector<int> const& skip) {
  std::string const name = std::to_string(pid);
  UniqueFd const pid_fd(::openat(proc_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!pid_fd.valid()) return;
  std::vector<int> own_skip = skip;
  if (!skip.empty()) own_skip.push_back(pid_fd.get());
  ProcessScan scan(pid_fd.get(), pid, q, s);
  scan.scan_links();
  scan.scan_fds(own_skip);
  scan.scan_maps();
  scan.finish();
}

std::vector<int> list_pids(DIR* proc) {
  std::vector<int> pids;
  while (dirent* ent = ::readdir(proc)) {
    char* end = nullptr;
    long const pid = std::strtol(ent->d_name, &end, 10);
    if (end == ent->d_name || *end != '\0' || pid <= 0) continue;
    pids.push_back(static_cast<int>(pid));
  }
  return pids;
}

/// Scans `pids` on this thread and up to kMaxThreads - 1 more; consumers in no set order.
std::vector<Consumer> scan_all(int proc_fd, std::vector<int> const& pids, ConsumerQuery const& q) {
  std::size_t const cores = std::max(1U, std::thread::hardware_concurrency());
  std::size_t const n =
      std::clamp(pids.size() / kPidsPerThread, std::size_t{1}, std::min(kMaxThreads, cores));
  std::vector<Scratch> scratch(n);
  std::atomic<std::size_t> next{0};
  std::vector<int> const none;
  auto work = [&](Scratch& s) {
    for (std::size_t i = next.fetch_add(kChunk); i < pids.size(); i = next.fetch_add(kChunk)) {
      for (std::size_t j = i; j < std::min(i + kChunk, pids.size()); ++j) {
        scan_pid(proc_fd, pids[j], q, s, none);
      }
    }
  };
  std::vector<std::thread> helpers;
  for (std::size_t t = 1; t < n; ++t) {
    try {
      helpers.emplace_back(work, std::ref(scratch[t]));
    } catch (std::system_error const&) {
      break;  // no thread to be had: this one scans the rest
    }
  }
  work(scratch[0]);
  for (std::thread& t : helpers) t.join();
  std::vector<Consumer> out;
  for (Scratch& s : scratch) {
    std::move(s.out.begin(), s.out.end(), std::back_inserter(out));
  }
  return out;
}

}  // namespace

LinuxProcesses::LinuxProcesses(std::string proc_root, ScanMethod method)
    : proc_root_(std::move(proc_root)), method_(method) {}

std::string const& LinuxProcesses::scan_method() {
  // Loading parses the kernel's BTF and verifies the programs: 70-90 ms here, far more under
  // emulation. Done at the first scan, not when daxd starts.
  std::call_once(chosen_, [this] {
    method_text_ = "/proc";
    if (method_ == ScanMethod::proc) return;
    if (proc_root_ != "/proc") {
      method_text_ = "/proc (a test's proc root)";
      return;
    }
    auto const t0 = std::chrono::steady_clock::now();
    auto loaded = BpfConsumerScan::load();
    auto const ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    if (loaded) {
      bpf_ = std::move(*loaded);
      method_text_ = "bpf";
    } else {
      method_text_ = "/proc (BPF iterators unavailable: " + loaded.error().message + ")";
    }
    if (announce_) {
      std::fprintf(stderr, "daxd: consumer scan: %s (chosen in %lld ms)\n", method_text_.c_str(),
                   static_cast<long long>(ms));
    }
  });
  return method_text_;
}

LinuxProcesses::~LinuxProcesses() = default;

Result<std::vector<Consumer>> LinuxProcesses::find_consumers(ConsumerQuery const& query) {
  if (query.filesystems.empty() && query.devices.empty() && query.files.empty()) {
    return std::vector<Consumer>{};
  }
  scan_method();
  if (bpf_) {
    auto found = bpf_->scan(query);
    // A query too long for the maps, or a failed read, still has the /proc scan.
    if (found || method_ == ScanMethod::bpf) return found;
  } else if (method_ == ScanMethod::bpf) {
    return Fail(Errc::unsupported, "no BPF consumer scan: " + method_text_);
  }
  return scan_proc(query);
}

Result<std::vector<Consumer>> LinuxProcesses::scan_proc(ConsumerQuery const& query) {
  DIR* proc = ::opendir(proc_root_.c_str());
  if (proc == nullptr) return error_from_errno(errno, "cannot scan " + proc_root_);
  int const proc_fd = ::dirfd(proc);
  std::vector<int> pids = list_pids(proc);
  // This process first, alone: the fds the scan holds must not count, and with the other
  // threads not started yet only these are open.
  int const self = ::getpid();
  Scratch own;
  if (auto const it = std::find(pids.begin(), pids.end(), self); it != pids.end()) {
    pids.erase(it);
    scan_pid(proc_fd, self, query, own, std::vector<int>{proc_fd});
  }
  std::vector<Consumer> out = scan_all(proc_fd, pids, query);
  ::closedir(proc);
  std::move(own.out.begin(), own.out.end(), std::back_inserter(out));
  sort_and_merge(out);
  return out;
}

Result<void> LinuxProcesses::send_signal(int pid, int signal) {
  if (pid <= 0)
    return Fail(Errc::invalid_argument, "pid " + std::to_string(pid) + ": not a process");
  if (::kill(pid, signal) != 0) {
    if (errno == ESRCH)
      return Fail(Errc::not_found, "pid " + std::to_string(pid) + ": no such process");
    return error_from_errno(
        errno, "pid " + std::to_string(pid) + ": cannot send signal " + std::to_string(signal));
  }
  return Ok();
}

}  // namespace daxd::host::linux_impl
