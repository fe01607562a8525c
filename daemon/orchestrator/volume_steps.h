// SPDX-License-Identifier: Apache-2.0
// Steps shared by the volume operations: quiesce, unmount, mount, and the dm device's life.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "daemon/host/host.h"
#include "daemon/model/result.h"
#include "daemon/model/volume.h"
#include "daemon/orchestrator/hooks.h"
#include "daemon/orchestrator/quiesce.h"
#include "daemon/orchestrator/step.h"
#include "state/journal.h"

namespace daxd::orchestrator {

inline constexpr std::uint64_t kDefaultDeadlineMs = 5000;

/// The quiesce options of a normalised request ({policy, deadline_ms}); missing ones (a damaged
/// journal) get the safest: refuse, 5 s.
QuiesceRequest quiesce_request(nlohmann::json const& r, Volume const& v, std::string verb,
                               bool dax_off);

/// The dax mode a mount shows ("" — xfs's default — is inode).
DaxMode mounted_dax(MountEntry const& m);

/// Busy, listing every process that uses the volume (fds, mappings, cwd). Errors: busy, host's.
Result<void> require_no_processes(host::Host& host, Volume const& v, std::string const& verb);

/// Sets q.has_hooks from the registry (no hooks: unchanged). Errors: io_error.
Result<void> note_hooks(QuiesceRequest& q, Hooks* hooks);

/// "quiesce": no process uses the volume, per `q`'s policy; records `stopped_at_ms` in its
/// data (the world stops here). With `hooks`, wait and terminate first ask every hook of the
/// volume (phase quiesce) and record their ids in `hooks_asked`; the undo then asks them to
/// resume (every hook of the volume when the step did not finish; best effort, never fails).
/// Without hooks there is no undo: the processes it ended do not come back.
/// `must_go` narrows the consumers that have to go (a copy snapshot: only MAP_SYNC mappings;
/// empty: all of them); `what` says so in the step's description.
using ConsumerFilter = std::function<std::vector<Consumer>(std::vector<Consumer> const&)>;
Step quiesce_step(Volume const& v, QuiesceRequest q, Hooks* hooks = nullptr,
                  ConsumerFilter must_go = {},
                  std::string const& what = "make its processes let go");

/// "resume-hooks": the hooks the quiesce step (step `quiesce_index` of the same operation, read
/// from the journal) asked are asked to resume; refuse asked none. Best effort: failures go to
/// its data (`failures`) and to `hook-failed` events, never fail the step. No undo.
Step resume_hooks_step(Volume const& v, QuiesceRequest q, Hooks& hooks, state::Journal& journal,
                       int quiesce_index);

/// "unmount": nothing is mounted at the volume's mountpoint (never lazy; refused, after a fresh
/// check, while any process uses it). Undo: mounted again with `undo_dax`.
Step unmount_step(Volume const& v, DaxMode undo_dax);

/// "mount": the volume's filesystem is mounted at its mountpoint with `dax`; `after` runs once
/// the mount is in place (times, records). Undo: unmounted (refused while processes use it).
Step mount_step(Volume const& v, DaxMode dax, std::function<void(StepContext&)> after = {});

/// "create-dm": /dev/mapper/daxd-NAME exists with the volume's table (uuid DAXD-NAME).
/// Undo: removed (refused under a live DAX mapping, checked just before).
Step create_dm_step(Volume const& v);

/// "remove-dm": the dm device is gone (refused under any consumer, checked just before).
/// Irreversible in the engine's sense: a commit point without undo.
Step remove_dm_step(Volume const& v);

}  // namespace daxd::orchestrator
