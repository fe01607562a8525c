// SPDX-License-Identifier: Apache-2.0
// The simulated host: the sim kernel's state in a JSON file, rewritten atomically on every change.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/host/host.h"
#include "daemon/host/sim/sim_events.h"
#include "daemon/host/sim/sim_programs.h"
#include "daemon/host/sim/sim_state.h"

namespace daxd::host::sim {

/// A host::Host whose "kernel" is a SimState persisted in one file. Every mutating call checks
/// injected faults first (failing without change), validates, applies, then writes the whole
/// state back (temp file + fsync + rename), so a SIGKILLed daxd restarted on the same file finds
/// the kernel as it was. Reads never re-load the file (one process owns it). Thread-safe.
class SimHost final : public host::Host {
 public:
  /// Loads `path`. Errors: not_found, io_error, invalid_argument (not a sim state).
  static Result<std::unique_ptr<SimHost>> open(std::string path);
  /// Writes `state` to `path`, then opens it. Errors: io_error.
  static Result<std::unique_ptr<SimHost>> create(std::string path, SimState const& state);

  ~SimHost() override;
  SimHost(SimHost const&) = delete;
  SimHost& operator=(SimHost const&) = delete;

  host::Nvdimm& nvdimm() override;
  host::DeviceMapper& device_mapper() override;
  host::Filesystems& filesystems() override;
  host::Processes& processes() override;
  host::Clock& clock() override;
  /// uevents derived from each change of the sim kernel (see sim_events.h).
  host::DeviceEvents& device_events() override;
  /// Fakes registered through fake_programs(), real programs otherwise.
  host::Programs& programs() override;
  /// Copies the sim storage between devices (fault op "blk.copy"; 2 GiB/s in CopyStats) and
  /// zeroes a device (fault op "blk.zero").
  host::BlockDevices& block_devices() override;
  /// "sim:<path>".
  std::string describe() const override;

  // ---- test control: the world the kernel would have (see sim_control.h for builders) ----

  /// A process holding what `p.uses` lists. Errors: already_exists, not_found, unsupported
  /// (MAP_SYNC without DAX).
  Result<void> add_process(SimProcess p);
  /// The process is gone without a signal. Errors: not_found.
  Result<void> remove_process(int pid);
  /// The next `count` calls of `op` ("nvdimm.create_namespace", "dm.reload", "fs.mount",
  /// "fs.freeze", "dm.suspend", ... — "<area>.<method>") fail with `err` and change nothing.
  Result<void> inject_fault(std::string const& op, int err, int count = 1);
  Result<void> clear_faults();
  /// Bytes of a file on the filesystem of `device` ("/dev/pmem0", "/dev/mapper/NAME"), for
  /// data-integrity checks. Errors: not_found, invalid_argument (no filesystem), busy (frozen).
  Result<void> write_file(std::string_view device, std::string const& path, std::string bytes);
  Result<std::string> read_file(std::string_view device, std::string const& path);
  /// mkdir -p on the filesystem of `device`; new directories inherit FS_XFLAG_DAX from their
  /// parent. Errors: not_found, invalid_argument (no filesystem), already_exists (a file).
  Result<void> make_directory(std::string_view device, std::string const& path);
  /// Re-reads the file (tests that edit it, or share it between two hosts); delivers the
  /// uevents of what changed.
  Result<void> reload();
  /// Hot-unplug: namespace `dev` (and its pmem/dax device) vanishes even while held, as when a
  /// DIMM fails; dm tables and mounts on it stay, referring to a device that is gone.
  /// Errors: not_found.
  Result<void> unplug_namespace(std::string_view dev);
  /// Fake programs (quiesce hooks) for tests: see SimPrograms.
  SimPrograms& fake_programs() { return *programs_; }
  /// A copy of the whole state.
  SimState state() const;
  std::string const& path() const { return path_; }

 private:
  class NvdimmImpl;
  class DmImpl;
  class FsImpl;
  class ProcImpl;
  class BlockImpl;

  SimHost(std::string path, SimState state);
  template <typename Fn>
  auto read_op(std::string_view op, Fn&& fn);
  template <typename Fn>
  auto mutate_op(std::string_view op, Fn&& fn);
  std::optional<Error> take_fault(std::string_view op);  // mu_ held

  std::string path_;
  mutable std::mutex mu_;
  SimState state_;
  std::unique_ptr<NvdimmImpl> nvdimm_;
  std::unique_ptr<DmImpl> dm_;
  std::unique_ptr<FsImpl> fs_;
  std::unique_ptr<ProcImpl> proc_;
  std::unique_ptr<BlockImpl> blocks_;
  std::unique_ptr<host::Clock> clock_;
  SimDeviceEvents events_;
  std::unique_ptr<SimPrograms> programs_ = std::make_unique<SimPrograms>();
};

/// The factory daxd's main uses for `--host sim:FILE`. Errors: as SimHost::open.
Result<std::unique_ptr<host::Host>> make_sim_host(std::string const& state_file);

/// Atomic write: `path`.tmp.<pid>, fsync, rename over `path`, fsync the directory.
/// Errors: io_error.
Result<void> write_state_file(std::string const& path, SimState const& state);
/// Errors: not_found, io_error, invalid_argument.
Result<SimState> read_state_file(std::string const& path);

}  // namespace daxd::host::sim
