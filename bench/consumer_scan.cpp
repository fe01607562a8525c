// SPDX-License-Identifier: Apache-2.0
// Consumer scan benchmark: N children each hold one file open or mapped; daxd's scan
// (LinuxProcesses::find_consumers, in process: the BPF iterators daxd uses where the kernel
// allows them, and the /proc scan it falls back to) is timed against `fuser -vm` and `lsof` on
// the same set, and every figure is printed as a ratio against daxd's time in the same run.
//
// Usage: consumer_scan --file PATH --label NAME [--procs 1000,5000] [--reps 5] [--lsof-reps 3]
//        [--mode mixed|fd|map]
//   PATH is a file on the filesystem to scan for (its st_dev is the query); the mount point
//   given to lsof is --mount (default: the directory holding PATH).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "daemon/host/linux/linux_processes.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// The children holding the file: killed and reaped when this goes out of scope. Each child
/// also dies with its parent (PR_SET_PDEATHSIG), so a crash of the driver leaves none behind.
class Holders {
 public:
  Holders() = default;
  Holders(Holders const&) = delete;
  Holders& operator=(Holders const&) = delete;
  ~Holders() { release(); }

  /// Children keep an fd ("fd"), a MAP_SHARED mapping with the fd closed ("map"), or, with
  /// "mixed", even-numbered children an fd and odd ones a mapping.
  bool spawn(std::string const& path, int count, std::string const& mode) {
    int ready[2];
    if (::pipe(ready) != 0) return false;
    pid_t const parent = ::getpid();
    for (int i = 0; i < count; ++i) {
      pid_t const pid = ::fork();
      if (pid < 0) {
        std::fprintf(stderr, "consumer_scan: fork %d of %d: %s\n", i, count, std::strerror(errno));
        ::close(ready[0]), ::close(ready[1]);
        return false;
      }
      if (pid == 0) hold(path, mode == "map" || (mode == "mixed" && i % 2 == 1), parent, ready[1]);
      pids_.push_back(pid);
    }
    ::close(ready[1]);
    int got = 0;
    char buf[256];
    while (got < count) {
      ssize_t const n = ::read(ready[0], buf, sizeof buf);
      if (n <= 0) break;
      got += static_cast<int>(n);
    }
    ::close(ready[0]);
    return got == count;
  }

  void release() {
    for (pid_t p : pids_) ::kill(p, SIGKILL);
    for (pid_t p : pids_) ::waitpid(p, nullptr, 0);
    pids_.clear();
  }

  std::set<int> pid_set() const { return {pids_.begin(), pids_.end()}; }

 private:
  [[noreturn]] static void hold(std::string const& path, bool map, pid_t parent, int ready_fd) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    int const fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) ::_exit(1);
    if (map) {
      void* p = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (p == MAP_FAILED) ::_exit(1);
      ::close(fd);
    }
    char const one = 'r';
    if (::write(ready_fd, &one, 1) != 1) ::_exit(1);
    ::close(ready_fd);
    for (;;) ::pause();
  }

  std::vector<pid_t> pids_;
};

/// Runs argv with stdout and stderr on /dev/null (or stdout into `out_path`); returns ms.
double run_timed(std::vector<std::string> const& args, char const* out_path = "/dev/null") {
  std::vector<char*> argv;
  for (auto const& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  auto const t0 = Clock::now();
  pid_t pid = 0;
  int const rc = ::posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return ms_since(t0);
}

/// How many of `ours` appear as pids in the whitespace-separated output file.
int count_pids_in(std::string const& file, std::set<int> const& ours) {
  FILE* f = std::fopen(file.c_str(), "r");
  if (f == nullptr) return -1;
  std::set<int> seen;
  char word[64];
  while (std::fscanf(f, "%63s", word) == 1) {
    char* end = nullptr;
    long const v = std::strtol(word, &end, 10);
    if (*end == '\0' && ours.count(static_cast<int>(v)) != 0) seen.insert(static_cast<int>(v));
  }
  std::fclose(f);
  return static_cast<int>(seen.size());
}

struct Options {
  std::string file;
  std::string mount;
  std::string label = "fs";
  std::string mode = "mixed";
  std::vector<int> procs{1000, 5000};
  int reps = 5;
  int lsof_reps = 3;
};

struct Timing {
  double daxd_ms;  // the scan daxd uses here: BPF if it loaded, else /proc
  double proc_ms;  // the /proc scan
  double fuser_ms;
  double lsof_ms;
  int daxd_found;
  int proc_found;
};

using daxd::host::linux_impl::LinuxProcesses;
using daxd::host::linux_impl::ScanMethod;

int daxd_found(std::vector<daxd::Consumer> const& consumers, std::set<int> const& ours) {
  std::set<int> seen;
  for (auto const& c : consumers) {
    if (ours.count(c.pid) != 0) seen.insert(c.pid);
  }
  return static_cast<int>(seen.size());
}

/// One timed scan; the number of `ours` it found, or -1 when it failed.
int timed_scan(LinuxProcesses& procs, daxd::host::ConsumerQuery const& query,
               std::set<int> const& ours, std::vector<double>& times) {
  auto const t0 = Clock::now();
  auto found = procs.find_consumers(query);
  times.push_back(ms_since(t0));
  if (found) return daxd_found(*found, ours);
  std::fprintf(stderr, "consumer_scan: scan failed: %s\n", found.error().message.c_str());
  return -1;
}

bool measure(Options const& o, LinuxProcesses& procs, daxd::DevNumber fs, std::set<int> const& ours,
             Timing& t) {
  LinuxProcesses proc_only("/proc", ScanMethod::proc);
  daxd::host::ConsumerQuery query;
  query.filesystems.push_back(fs);
  std::vector<double> dx, px, fu, ls;
  for (int r = 0; r < std::max(o.reps, o.lsof_reps); ++r) {
    if (r < o.reps) {
      t.daxd_found = timed_scan(procs, query, ours, dx);
      t.proc_found = timed_scan(proc_only, query, ours, px);
      if (t.daxd_found < 0 || t.proc_found < 0) return false;
      fu.push_back(run_timed({"fuser", "-vm", o.file}));
    }
    if (r < o.lsof_reps) ls.push_back(run_timed({"lsof", "-w", o.mount}));
  }
  t.daxd_ms = median(dx);
  t.proc_ms = median(px);
  t.fuser_ms = median(fu);
  t.lsof_ms = median(ls);
  return true;
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string const k = argv[i];
    std::string const v = argv[i + 1];
    if (k == "--file")
      o.file = v;
    else if (k == "--mount")
      o.mount = v;
    else if (k == "--label")
      o.label = v;
    else if (k == "--mode")
      o.mode = v;
    else if (k == "--reps")
      o.reps = std::atoi(v.c_str());
    else if (k == "--lsof-reps")
      o.lsof_reps = std::atoi(v.c_str());
    else if (k == "--procs") {
      o.procs.clear();
      for (char const* p = v.c_str(); *p != '\0';) {
        char* end = nullptr;
        o.procs.push_back(static_cast<int>(std::strtol(p, &end, 10)));
        p = *end == ',' ? end + 1 : end;
      }
    } else
      return false;
  }
  if (o.mount.empty()) o.mount = o.file.substr(0, o.file.rfind('/'));
  return !o.file.empty() && o.reps > 0 && o.lsof_reps >= 0;
}

void raise_limits(int most) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur < static_cast<rlim_t>(most) + 1000) {
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, static_cast<rlim_t>(most) + 1000);
    ::setrlimit(RLIMIT_NPROC, &rl);
  }
}

int run_count(Options const& o, LinuxProcesses& procs, daxd::DevNumber fs, int count) {
  Holders holders;
  auto const t0 = Clock::now();
  if (!holders.spawn(o.file, count, o.mode)) return 1;
  std::fprintf(stderr, "consumer_scan: %d holders on %s ready in %.0f ms\n", count, o.label.c_str(),
               ms_since(t0));
  auto const ours = holders.pid_set();
  // Correctness first: every tool must find every holder (fuser -m prints pids on stdout).
  std::string const out = "/tmp/consumer_scan.fuser.out";
  run_timed({"fuser", "-m", o.file}, out.c_str());
  int const fuser_found = count_pids_in(out, ours);
  ::unlink(out.c_str());
  Timing t{};
  if (!measure(o, procs, fs, ours, t)) return 1;
  std::printf(
      "consumer-scan fs=%s hold=%s procs=%d  daxd(%s)=%.1f ms  daxd(/proc)=%.1f ms  "
      "fuser -vm=%.1f ms  lsof=%.1f ms  ratio fuser/daxd=%.1fx  lsof/daxd=%.1fx  "
      "fuser/daxd(/proc)=%.1fx  found daxd=%d /proc=%d fuser=%d (reps %d, lsof %d; medians)\n",
      o.label.c_str(), o.mode.c_str(), count, procs.scan_method() == "bpf" ? "bpf" : "/proc",
      t.daxd_ms, t.proc_ms, t.fuser_ms, t.lsof_ms, t.fuser_ms / t.daxd_ms, t.lsof_ms / t.daxd_ms,
      t.fuser_ms / t.proc_ms, t.daxd_found, t.proc_found, fuser_found, o.reps, o.lsof_reps);
  std::fflush(stdout);
  return t.daxd_found == count && t.proc_found == count ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: consumer_scan --file PATH [--mount DIR] [--label NAME] "
                 "[--procs 1000,5000] [--reps 5] [--lsof-reps 3] [--mode mixed|fd|map]\n");
    return 2;
  }
  struct stat st {};
  if (::stat(o.file.c_str(), &st) != 0) {
    std::fprintf(stderr, "consumer_scan: %s: %s\n", o.file.c_str(), std::strerror(errno));
    return 2;
  }
  daxd::DevNumber const fs{major(st.st_dev), minor(st.st_dev)};
  raise_limits(*std::max_element(o.procs.begin(), o.procs.end()));
  // Loading the BPF programs happens once, when daxd starts: timed apart from the scans.
  auto const t0 = Clock::now();
  LinuxProcesses procs;
  std::printf("consumer-scan daxd scan method: %s (set up in %.1f ms, once per daemon)\n",
              procs.scan_method().c_str(), ms_since(t0));
  int rc = 0;
  for (int count : o.procs) rc |= run_count(o, procs, fs, count);
  return rc;
}
