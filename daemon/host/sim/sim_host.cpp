// SPDX-License-Identifier: Apache-2.0
// SimHost: locking, fault injection and atomic persistence around the sim kernel's operations.
#include "daemon/host/sim/sim_host.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "daemon/host/sim/sim_file_dax.h"
#include "daemon/host/sim/sim_ops.h"
#include "daemon/host/sim/sim_rules.h"
#include "daemon/host/sim/sim_snapshot.h"

namespace daxd::host::sim {
namespace {

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(UniqueFd const&) = delete;
  UniqueFd& operator=(UniqueFd const&) = delete;
  int get() const { return fd_; }
  /// Closes now, reporting the error close() may carry.
  int release_close() {
    int const rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Result<void> write_all(int fd, std::string const& text, std::string const& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t const n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return error_from_errno(errno, path + ": write");
    done += static_cast<std::size_t>(n);
  }
  return Ok();
}

void fsync_dir_of(std::string const& path) {
  auto const slash = path.rfind('/');
  std::string const dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());  // best effort: the rename is already atomic
}

}  // namespace

Result<void> write_state_file(std::string const& path, SimState const& state) {
  std::string const text =
      state_to_json(state).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::string const tmp = path + ".tmp." + std::to_string(::getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return error_from_errno(errno, tmp + ": open");
  DAXD_TRY(write_all(fd.get(), text, tmp));
  if (::fsync(fd.get()) != 0) return error_from_errno(errno, tmp + ": fsync");
  if (fd.release_close() != 0) return error_from_errno(errno, tmp + ": close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = error_from_errno(errno, path + ": rename");
    ::unlink(tmp.c_str());
    return e;
  }
  fsync_dir_of(path);
  return Ok();
}

Result<SimState> read_state_file(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return Fail(Errc::not_found, "sim:" + path + ": no such state file");
    return error_from_errno(errno, "sim:" + path + ": open");
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto const j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Fail(Errc::invalid_argument, "sim:" + path + ": not valid JSON");
  auto state = state_from_json(j);
  if (!state) return Fail(Errc::invalid_argument, "sim:" + path + ": " + state.error().message);
  return state;
}

// A fault is consumed (and the shorter count persisted) even by calls that only read.
std::optional<Error> SimHost::take_fault(std::string_view op) {
  auto const it = state_.faults.find(std::string(op));
  if (it == state_.faults.end() || it->second.count <= 0) return std::nullopt;
  int const err = it->second.err;
  if (--it->second.count <= 0) state_.faults.erase(it);
  ignore_result(write_state_file(path_, state_));
  return error_from_errno(err, std::string(op) + ": injected fault");
}

template <typename Fn>
auto SimHost::read_op(std::string_view op, Fn&& fn) {
  using R = decltype(fn(std::declval<SimState const&>()));
  std::lock_guard lock(mu_);
  if (auto e = take_fault(op)) return R(Unexpected{std::move(*e)});
  return fn(static_cast<SimState const&>(state_));
}

// Runs `fn` on a copy so that a refusal (or a failed write of the file) changes nothing.
template <typename Fn>
auto SimHost::mutate_op(std::string_view op, Fn&& fn) {
  using R = decltype(fn(std::declval<SimState&>()));
  std::unique_lock lock(mu_);
  if (auto e = take_fault(op)) return R(Unexpected{std::move(*e)});
  SimState next = state_;
  R result = fn(next);
  if (!result) return result;
  if (auto written = write_state_file(path_, next); !written) {
    return R(Unexpected{std::move(written).error()});
  }
  auto const changes = device_changes(state_, next);
  state_ = std::move(next);
  lock.unlock();  // listeners may read the host
  events_.deliver(changes);
  return result;
}

// ---- the four host interfaces, each a thin forwarder to the pure operations ----

class SimHost::NvdimmImpl final : public host::Nvdimm {
 public:
  explicit NvdimmImpl(SimHost& h) : h_(h) {}
  Result<std::vector<Region>> list_regions() override {
    return h_.read_op("nvdimm.list_regions", [](SimState const& s) {
      return Result<std::vector<Region>>(sim::list_regions(s));
    });
  }
  Result<std::vector<Namespace>> list_namespaces() override {
    return h_.read_op("nvdimm.list_namespaces", [](SimState const& s) {
      return Result<std::vector<Namespace>>(sim::list_namespaces(s));
    });
  }
  Result<Namespace> create_namespace(NamespaceSpec const& spec) override {
    return h_.mutate_op("nvdimm.create_namespace",
                        [&](SimState& s) { return sim::create_namespace(s, spec); });
  }
  Result<void> destroy_namespace(std::string_view dev) override {
    return h_.mutate_op("nvdimm.destroy_namespace",
                        [&](SimState& s) { return sim::destroy_namespace(s, dev); });
  }
  Result<Namespace> reconfigure_namespace(std::string_view dev, NamespaceMode mode) override {
    return h_.mutate_op("nvdimm.reconfigure_namespace",
                        [&](SimState& s) { return sim::reconfigure_namespace(s, dev, mode); });
  }

 private:
  SimHost& h_;
};

class SimHost::DmImpl final : public host::DeviceMapper {
 public:
  explicit DmImpl(SimHost& h) : h_(h) {}
  Result<std::vector<DmDevice>> list_devices() override {
    return h_.read_op("dm.list_devices", [](SimState const& s) {
      return Result<std::vector<DmDevice>>(list_dm_devices(s));
    });
  }
  Result<DmDevice> create(std::string_view name, std::string_view uuid,
                          std::vector<DmTarget> const& table) override {
    return h_.mutate_op("dm.create", [&](SimState& s) { return dm_create(s, name, uuid, table); });
  }
  Result<void> reload(std::string_view name, std::vector<DmTarget> const& table) override {
    return h_.mutate_op("dm.reload", [&](SimState& s) { return dm_reload(s, name, table); });
  }
  Result<void> suspend(std::string_view name) override {
    return h_.mutate_op("dm.suspend", [&](SimState& s) { return dm_suspend(s, name); });
  }
  Result<void> resume(std::string_view name) override {
    return h_.mutate_op("dm.resume", [&](SimState& s) { return dm_resume(s, name); });
  }
  Result<void> remove(std::string_view name) override {
    return h_.mutate_op("dm.remove", [&](SimState& s) { return dm_remove(s, name); });
  }
  Result<std::vector<std::string>> status(std::string_view name) override {
    return h_.read_op("dm.status", [&](SimState const& s) { return dm_status(s, name); });
  }

 private:
  SimHost& h_;
};

class SimHost::FsImpl final : public host::Filesystems {
 public:
  explicit FsImpl(SimHost& h) : h_(h) {}
  Result<std::vector<MountEntry>> list_mounts() override {
    return h_.read_op("fs.list_mounts", [](SimState const& s) {
      return Result<std::vector<MountEntry>>(sim::list_mounts(s));
    });
  }
  Result<void> make_filesystem(std::string_view device, FsType type) override {
    return h_.mutate_op("fs.make_filesystem",
                        [&](SimState& s) { return sim::make_filesystem(s, device, type); });
  }
  Result<void> mount(std::string_view device, std::string_view target, FsType type,
                     DaxMode dax) override {
    return h_.mutate_op("fs.mount",
                        [&](SimState& s) { return mount_fs(s, device, target, type, dax); });
  }
  Result<void> mount_read_only(std::string_view device, std::string_view target,
                               FsType type) override {
    return h_.mutate_op("fs.mount_read_only",
                        [&](SimState& s) { return mount_read_only_fs(s, device, target, type); });
  }
  Result<void> unmount(std::string_view target) override {
    return h_.mutate_op("fs.unmount", [&](SimState& s) { return unmount_fs(s, target); });
  }
  Result<void> freeze(std::string_view target) override {
    return h_.mutate_op("fs.freeze", [&](SimState& s) { return freeze_fs(s, target); });
  }
  Result<void> thaw(std::string_view target) override {
    return h_.mutate_op("fs.thaw", [&](SimState& s) { return thaw_fs(s, target); });
  }
  Result<std::string> probe_signature(std::string_view device) override {
    return h_.read_op("fs.probe_signature",
                      [&](SimState const& s) { return sim::probe_signature(s, device); });
  }
  // A statx loads the inode, so reading the state is a change of the sim kernel's memory.
  Result<FileDaxState> file_dax_state(std::string_view root, std::string_view path) override {
    return h_.mutate_op("fs.file_dax_state",
                        [&](SimState& s) { return sim::file_dax_state(s, root, path); });
  }
  Result<void> set_file_dax(std::string_view root, std::string_view path, bool on) override {
    return h_.mutate_op("fs.set_file_dax",
                        [&](SimState& s) { return sim::set_file_dax(s, root, path, on); });
  }
  Result<void> evict_inodes(std::string_view root) override {
    return h_.mutate_op("fs.evict_inodes", [&](SimState& s) { return sim::evict_inodes(s, root); });
  }

 private:
  SimHost& h_;
};

class SimHost::ProcImpl final : public host::Processes {
 public:
  explicit ProcImpl(SimHost& h) : h_(h) {}
  Result<std::vector<Consumer>> find_consumers(ConsumerQuery const& query) override {
    return h_.read_op("proc.find_consumers", [&](SimState const& s) {
      return Result<std::vector<Consumer>>(sim::find_consumers(s, query));
    });
  }
  Result<void> send_signal(int pid, int signal) override {
    return h_.mutate_op("proc.send_signal",
                        [&](SimState& s) { return sim::send_signal(s, pid, signal); });
  }

 private:
  SimHost& h_;
};

class SimHost::BlockImpl final : public host::BlockDevices {
 public:
  explicit BlockImpl(SimHost& h) : h_(h) {}
  Result<host::CopyStats> copy(std::string_view from, std::string_view to,
                               std::uint64_t length) override {
    return h_.mutate_op("blk.copy",
                        [&](SimState& s) { return copy_blocks(s, from, to, length); });
  }
  Result<void> zero(std::string_view device, std::uint64_t length) override {
    return h_.mutate_op("blk.zero", [&](SimState& s) { return zero_blocks(s, device, length); });
  }

 private:
  SimHost& h_;
};

// ---- SimHost ----

SimHost::SimHost(std::string path, SimState state)
    : path_(std::move(path)),
      state_(std::move(state)),
      nvdimm_(std::make_unique<NvdimmImpl>(*this)),
      dm_(std::make_unique<DmImpl>(*this)),
      fs_(std::make_unique<FsImpl>(*this)),
      proc_(std::make_unique<ProcImpl>(*this)),
      blocks_(std::make_unique<BlockImpl>(*this)),
      clock_(std::make_unique<host::SystemClock>()) {}

SimHost::~SimHost() = default;

Result<std::unique_ptr<SimHost>> SimHost::open(std::string path) {
  DAXD_ASSIGN_OR_RETURN(auto state, read_state_file(path));
  return std::unique_ptr<SimHost>(new SimHost(std::move(path), std::move(state)));
}

Result<std::unique_ptr<SimHost>> SimHost::create(std::string path, SimState const& state) {
  SimState normalised = state;
  add_legacy_namespaces(normalised);
  DAXD_TRY(write_state_file(path, normalised));
  return open(std::move(path));
}

host::Nvdimm& SimHost::nvdimm() { return *nvdimm_; }
host::DeviceMapper& SimHost::device_mapper() { return *dm_; }
host::Filesystems& SimHost::filesystems() { return *fs_; }
host::Processes& SimHost::processes() { return *proc_; }
host::Clock& SimHost::clock() { return *clock_; }
host::DeviceEvents& SimHost::device_events() { return events_; }
host::Programs& SimHost::programs() { return *programs_; }
host::BlockDevices& SimHost::block_devices() { return *blocks_; }
std::string SimHost::describe() const { return "sim:" + path_; }

Result<void> SimHost::add_process(SimProcess p) {
  return mutate_op("sim.add_process",
                   [&](SimState& s) { return sim::add_process(s, std::move(p)); });
}

Result<void> SimHost::remove_process(int pid) {
  return mutate_op("sim.remove_process", [&](SimState& s) { return sim::remove_process(s, pid); });
}

Result<void> SimHost::inject_fault(std::string const& op, int err, int count) {
  if (err <= 0 || count <= 0)
    return Fail(Errc::invalid_argument, op + ": errno and count must be positive");
  return mutate_op("sim.inject_fault", [&](SimState& s) {
    s.faults[op] = SimFault{err, count};
    return Ok();
  });
}

Result<void> SimHost::clear_faults() {
  return mutate_op("sim.clear_faults", [](SimState& s) {
    s.faults.clear();
    return Ok();
  });
}

Result<void> SimHost::write_file(std::string_view device, std::string const& path,
                                 std::string bytes) {
  return mutate_op("sim.write_file",
                   [&](SimState& s) { return sim::write_file(s, device, path, std::move(bytes)); });
}

Result<std::string> SimHost::read_file(std::string_view device, std::string const& path) {
  return read_op("sim.read_file",
                 [&](SimState const& s) { return sim::read_file(s, device, path); });
}

Result<void> SimHost::make_directory(std::string_view device, std::string const& path) {
  return mutate_op("sim.make_directory",
                   [&](SimState& s) { return sim::make_directory(s, device, path); });
}

Result<void> SimHost::reload() {
  DAXD_ASSIGN_OR_RETURN(auto state, read_state_file(path_));
  std::unique_lock lock(mu_);
  auto const changes = device_changes(state_, state);
  state_ = std::move(state);
  lock.unlock();
  events_.deliver(changes);
  return Ok();
}

Result<void> SimHost::unplug_namespace(std::string_view dev) {
  return mutate_op("sim.unplug_namespace", [&](SimState& s) -> Result<void> {
    auto const before = s.namespaces.size();
    std::erase_if(s.namespaces, [&](SimNamespace const& n) { return n.dev == dev; });
    if (s.namespaces.size() == before) {
      return Fail(Errc::not_found, std::string(dev) + ": no such namespace");
    }
    return Ok();
  });
}

SimState SimHost::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

Result<std::unique_ptr<host::Host>> make_sim_host(std::string const& state_file) {
  DAXD_ASSIGN_OR_RETURN(auto host, SimHost::open(state_file));
  return std::unique_ptr<host::Host>(std::move(host));
}

}  // namespace daxd::host::sim
