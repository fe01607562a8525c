// SPDX-License-Identifier: Apache-2.0
// The /proc scan: fds, mappings (MAP_SYNC from smaps only when needed), cwd, root and exe.
#include "daemon/host/linux/linux_processes.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "daemon/host/linux/ndctl_handles.h"
#include "daemon/host/linux/proc_parsers.h"

namespace daxd::host::linux_impl {
namespace {

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

std::string read_link(std::string const& path) {
  std::string buf(4096, '\0');
  ssize_t const n = ::readlink(path.c_str(), buf.data(), buf.size());
  if (n < 0) return {};
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

std::string read_small_file(std::string const& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool path_is_dax(std::string const& path) {
  struct statx sx {};
  if (::statx(AT_FDCWD, path.c_str(), 0, STATX_BASIC_STATS, &sx) != 0) return false;
  return (sx.stx_attributes & STATX_ATTR_DAX) != 0;
}

/// Collects consumers of one process, de-duplicated by (kind, path).
class ProcessScan {
 public:
  ProcessScan(std::string dir, int pid, ConsumerQuery const& q)
      : dir_(std::move(dir)), pid_(pid), q_(q) {}

  void scan_links() {
    check_link("cwd", ConsumerKind::cwd);
    check_link("root", ConsumerKind::root);
    check_link("exe", ConsumerKind::exe);
  }

  void scan_fds(int skip_fd) {
    std::string const fd_dir = dir_ + "/fd";
    DIR* d = ::opendir(fd_dir.c_str());
    if (d == nullptr) return;  // vanished or not ours to read
    int const own = pid_ == ::getpid() ? ::dirfd(d) : -1;
    while (dirent* ent = ::readdir(d)) {
      if (ent->d_name[0] == '.') continue;
      int const fd = std::atoi(ent->d_name);
      if (pid_ == ::getpid() && (fd == own || fd == skip_fd)) continue;
      std::string const link = fd_dir + "/" + ent->d_name;
      struct stat st {};
      if (::stat(link.c_str(), &st) != 0 || !stat_matches(st, q_)) continue;
      add(ConsumerKind::fd, read_link(link), false, path_is_dax(link));
    }
    ::closedir(d);
  }

  void scan_maps() {
    std::ifstream in(dir_ + "/maps");
    std::string line;
    while (std::getline(in, line)) {
      auto const e = parse_maps_line(line);
      if (!e || e->path.empty() || e->path.front() != '/') continue;
      if (!mapping_matches(*e)) continue;
      matched_.push_back(*e);
    }
    if (matched_.empty()) return;
    // smaps is slow to generate: only read it for processes with a matching mapping.
    auto const sync = parse_smaps_sync(read_small_file(dir_ + "/smaps"));
    for (MapsEntry const& e : matched_) {
      bool const map_sync = std::any_of(sync.begin(), sync.end(), [&](SmapsSync const& s) {
        return s.start == e.start && s.map_sync;
      });
      add(ConsumerKind::mapping, e.path, map_sync, mapping_is_dax(e));
    }
  }

  std::vector<Consumer> take(std::string const& comm) {
    for (Consumer& c : out_) c.command = comm;
    return std::move(out_);
  }

 private:
  bool mapping_matches(MapsEntry const& e) {
    if (contains(q_.filesystems, e.dev)) return true;
    if (contains_file(q_.files, e.dev, e.inode)) return true;
    if (q_.devices.empty() || !e.path.starts_with("/dev/")) return false;
    struct stat st {};
    if (::stat(e.path.c_str(), &st) != 0) return false;
    bool const is_dev = S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode);
    return is_dev && contains(q_.devices, dev_of(st.st_rdev));
  }

  bool mapping_is_dax(MapsEntry const& e) {
    if (e.path.starts_with("/dev/dax")) return true;  // device-dax is DAX by construction
    return path_is_dax(e.path);
  }

  void check_link(char const* name, ConsumerKind kind) {
    std::string const link = dir_ + "/" + name;
    struct stat st {};
    if (::stat(link.c_str(), &st) != 0) return;
    bool const hit = contains(q_.filesystems, dev_of(st.st_dev)) ||
                     contains_file(q_.files, dev_of(st.st_dev), st.st_ino);
    if (!hit) return;
    add(kind, read_link(link), false, false);
  }

  void add(ConsumerKind kind, std::string path, bool map_sync, bool dax) {
    if (path.empty()) return;  // the process went away between stat and readlink
    for (Consumer& c : out_) {
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
    out_.push_back(std::move(c));
  }

  std::string dir_;
  int pid_;
  ConsumerQuery const& q_;
  std::vector<MapsEntry> matched_;
  std::vector<Consumer> out_;
};

std::string read_comm(std::string const& dir) {
  std::string comm = read_small_file(dir + "/comm");
  while (!comm.empty() && comm.back() == '\n') comm.pop_back();
  return comm;
}

}  // namespace

Result<std::vector<Consumer>> LinuxProcesses::find_consumers(ConsumerQuery const& query) {
  std::vector<Consumer> out;
  if (query.filesystems.empty() && query.devices.empty() && query.files.empty()) return out;
  DIR* proc = ::opendir(proc_root_.c_str());
  if (proc == nullptr) return error_from_errno(errno, "cannot scan " + proc_root_);
  int const proc_fd = ::dirfd(proc);
  while (dirent* ent = ::readdir(proc)) {
    char* end = nullptr;
    long const pid = std::strtol(ent->d_name, &end, 10);
    if (end == ent->d_name || *end != '\0' || pid <= 0) continue;
    std::string const dir = proc_root_ + "/" + ent->d_name;
    ProcessScan scan(dir, static_cast<int>(pid), query);
    scan.scan_links();
    scan.scan_fds(proc_fd);
    scan.scan_maps();
    // A process that vanished mid-scan simply yields nothing more.
    for (Consumer& c : scan.take(read_comm(dir))) out.push_back(std::move(c));
  }
  ::closedir(proc);
  std::sort(out.begin(), out.end(), [](Consumer const& a, Consumer const& b) {
    return std::tie(a.pid, a.kind, a.path) < std::tie(b.pid, b.kind, b.path);
  });
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
