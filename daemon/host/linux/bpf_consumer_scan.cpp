// SPDX-License-Identifier: Apache-2.0
// Loads consumer_scan.bpf.c through its bpftool skeleton, fills the query maps, reads the three
// iterators and turns their records into Consumers.
#include "daemon/host/linux/bpf_consumer_scan.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/host/linux/consumer_scan.skel.h"
#include "daemon/host/linux/consumer_scan_record.h"
#include "daemon/host/linux/ndctl_handles.h"

namespace daxd::host::linux_impl {
namespace {

static_assert(sizeof(daxd_scan_record) == 72, "the BPF program writes this layout");

/// The kernel's internal dev_t (MKDEV), as super_block.s_dev and inode.i_rdev hold it.
std::uint32_t kernel_dev(DevNumber d) { return (d.major << 20) | d.minor; }

/// The pids of the BPF records are the initial namespace's: true when they are also ours.
bool in_initial_pid_namespace() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (!line.starts_with("NSpid:")) continue;
    std::string_view rest(line);
    rest.remove_prefix(6);
    std::size_t fields = 0;
    for (std::size_t i = 0; i < rest.size();) {
      while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
      if (i == rest.size()) break;
      ++fields;
      while (i < rest.size() && rest[i] != ' ' && rest[i] != '\t') ++i;
    }
    return fields == 1;
  }
  return true;  // a kernel without NSpid (before 4.1) has no BPF iterators either
}

Error bpf_error(int err, std::string const& what) {
  return Error{Errc::io_error, what + ": " + std::strerror(err < 0 ? -err : err)};
}

/// Empties a query map: each turn takes the first key left and deletes it.
template <typename Key>
Result<void> clear_map(bpf_map const* map) {
  int const fd = bpf_map__fd(map);
  Key key{};
  while (bpf_map_get_next_key(fd, nullptr, &key) == 0) {
    if (bpf_map_delete_elem(fd, &key) != 0) return bpf_error(errno, "cannot clear the query");
  }
  return Ok();
}

template <typename Key>
Result<void> put(bpf_map const* map, Key const& key) {
  std::uint8_t const one = 1;
  if (bpf_map_update_elem(bpf_map__fd(map), &key, &one, BPF_ANY) != 0)
    return bpf_error(errno, "cannot set the query");
  return Ok();
}

ConsumerKind kind_of(std::uint32_t k) {
  switch (k) {
    case DAXD_SCAN_MAPPING:
      return ConsumerKind::mapping;
    case DAXD_SCAN_CWD:
      return ConsumerKind::cwd;
    case DAXD_SCAN_ROOT:
      return ConsumerKind::root;
    case DAXD_SCAN_EXE:
      return ConsumerKind::exe;
    default:
      return ConsumerKind::fd;
  }
}

/// The link in /proc that names a record the kernel did not name.
std::string proc_link(daxd_scan_record const& r) {
  std::string link = "/proc/" + std::to_string(r.tgid) + "/";
  switch (r.kind) {
    case DAXD_SCAN_CWD:
      return link + "cwd";
    case DAXD_SCAN_ROOT:
      return link + "root";
    case DAXD_SCAN_EXE:
      return link + "exe";
    case DAXD_SCAN_MAPPING: {
      char range[64];
      std::snprintf(range, sizeof range, "map_files/%llx-%llx",
                    static_cast<unsigned long long>(r.start),
                    static_cast<unsigned long long>(r.end));
      return link + range;
    }
    default:
      return link + "fd/" + std::to_string(r.fd);
  }
}

/// Paths of the records the kernel did not name, read from /proc once per (mnt, dentry): the
/// pair fixes the path, so a file that a thousand processes map costs one readlink.
class PathNames {
 public:
  /// Empty when the process has gone.
  std::string const& name(daxd_scan_record const& r) {
    auto const key = std::make_pair(r.mnt, r.dentry);
    if (auto const it = known_.find(key); it != known_.end()) return it->second;
    char buf[4096];
    ssize_t const n = ::readlink(proc_link(r).c_str(), buf, sizeof buf);
    if (n <= 0) return none_;
    return known_.emplace(key, std::string(buf, static_cast<std::size_t>(n))).first->second;
  }

 private:
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::string> known_;
  std::string const none_;
};

Consumer to_consumer(daxd_scan_record const& r, std::string_view path, PathNames& names) {
  Consumer c;
  c.kind = kind_of(r.kind);
  c.pid = static_cast<int>(r.tgid);
  c.command.assign(r.comm, ::strnlen(r.comm, sizeof r.comm));
  c.path = path.empty() ? names.name(r) : std::string(path);
  c.map_sync = (r.flags & DAXD_SCAN_MAP_SYNC) != 0;
  // Device-dax is DAX by construction; its device node's inode does not say so.
  c.dax = (r.flags & DAXD_SCAN_DAX) != 0 ||
          (c.kind == ConsumerKind::mapping && c.path.starts_with("/dev/dax"));
  return c;
}

}  // namespace

Result<std::unique_ptr<BpfConsumerScan>> BpfConsumerScan::load() {
  if (!in_initial_pid_namespace())
    return Fail(Errc::unsupported, "daxd runs in a child pid namespace");
  // libbpf's messages (the verifier's log among them) go to stderr only when asked for: they
  // would otherwise print on every kernel that refuses the programs.
  if (std::getenv("DAXD_BPF_DEBUG") == nullptr) libbpf_set_print(nullptr);
  consumer_scan_bpf* skel = consumer_scan_bpf::open_and_load();
  if (skel == nullptr) return bpf_error(errno, "the kernel refused the BPF consumer scan");
  if (int const err = consumer_scan_bpf::attach(skel); err != 0) {
    consumer_scan_bpf::destroy(skel);
    return bpf_error(err, "cannot attach the BPF iterators");
  }
  return std::unique_ptr<BpfConsumerScan>(new BpfConsumerScan(skel));
}

BpfConsumerScan::~BpfConsumerScan() { consumer_scan_bpf::destroy(skel_); }

Result<void> BpfConsumerScan::set_query(ConsumerQuery const& q) {
  std::size_t const most = std::max({q.filesystems.size(), q.devices.size(), q.files.size()});
  if (most > DAXD_SCAN_MAX_KEYS)
    return Fail(Errc::invalid_argument,
                "a query of more than " + std::to_string(DAXD_SCAN_MAX_KEYS) + " devices");
  DAXD_TRY(clear_map<std::uint32_t>(skel_->maps.filesystems));
  DAXD_TRY(clear_map<std::uint32_t>(skel_->maps.devices));
  DAXD_TRY(clear_map<daxd_scan_file_key>(skel_->maps.files));
  for (DevNumber const d : q.filesystems) DAXD_TRY(put(skel_->maps.filesystems, kernel_dev(d)));
  for (DevNumber const d : q.devices) DAXD_TRY(put(skel_->maps.devices, kernel_dev(d)));
  for (FileId const& f : q.files) {
    DAXD_TRY(put(skel_->maps.files, daxd_scan_file_key{kernel_dev(f.dev), 0, f.inode}));
  }
  return Ok();
}

Result<void> BpfConsumerScan::read_iterator(int link_fd, std::vector<char>& out) {
  UniqueFd const it(bpf_iter_create(link_fd));
  if (!it.valid()) return bpf_error(errno, "cannot start a BPF iterator");
  for (;;) {
    std::size_t const used = out.size();
    out.resize(used + 64 * 1024);
    ssize_t const n = ::read(it.get(), out.data() + used, out.size() - used);
    if (n < 0) {
      int const err = errno;
      out.resize(used);
      if (err == EINTR) continue;
      return bpf_error(err, "cannot read a BPF iterator");
    }
    out.resize(used + static_cast<std::size_t>(n));
    if (n == 0) return Ok();
  }
}

Result<std::vector<Consumer>> BpfConsumerScan::scan(ConsumerQuery const& query) {
  std::lock_guard const lock(mutex_);
  DAXD_TRY(set_query(query));
  std::vector<char> bytes;
  for (bpf_link* link :
       {skel_->links.scan_tasks, skel_->links.scan_files, skel_->links.scan_mappings}) {
    DAXD_TRY(read_iterator(bpf_link__fd(link), bytes));
  }
  std::vector<Consumer> out;
  PathNames names;
  for (std::size_t at = 0; at + sizeof(daxd_scan_record) <= bytes.size();) {
    daxd_scan_record r;
    std::memcpy(&r, bytes.data() + at, sizeof r);
    at += sizeof r;
    if (r.path_len > bytes.size() - at) break;  // cannot happen: the kernel writes both or none
    std::string_view const path(bytes.data() + at, r.path_len);
    at += r.path_len;
    Consumer c = to_consumer(r, path, names);
    if (!c.path.empty()) out.push_back(std::move(c));  // empty: the process went away
  }
  sort_and_merge(out);
  return out;
}

}  // namespace daxd::host::linux_impl
