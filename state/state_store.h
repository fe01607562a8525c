// SPDX-License-Identifier: Apache-2.0
// StateStore: the daemon's one state database, migrated, with its journal, logs and desired state.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "daemon/model/result.h"
#include "state/audit_log.h"
#include "state/database.h"
#include "state/desired_state.h"
#include "state/event_log.h"
#include "state/journal.h"

namespace daxd::state {

struct StateOptions {
  NowMs now = wall_clock_ms;  // timestamps; main.cpp passes host::Clock
  std::size_t events_keep = EventLog::kDefaultKeep;
  std::size_t audit_keep = AuditLog::kDefaultKeep;
};

/// Owns the Database; the parts refer to it and live as long as the store.
class StateStore {
 public:
  StateStore(Database db, StateOptions const& options);
  StateStore(StateStore const&) = delete;
  StateStore& operator=(StateStore const&) = delete;

  Journal& journal() { return journal_; }
  AuditLog& audit() { return audit_; }
  EventLog& events() { return events_; }
  DesiredState& desired() { return desired_; }
  Database& database() { return db_; }

 private:
  Database db_;
  Journal journal_;
  AuditLog audit_;
  EventLog events_;
  DesiredState desired_;
};

/// Opens (creating if needed) the state database at `path` (daemon: <state_dir>/daxd.db; tests:
/// ":memory:") and migrates it to this binary's schema.
/// Errors: io_error (cannot open or migrate), unsupported (the schema is newer than this daxd).
Result<std::unique_ptr<StateStore>> open_state(std::string const& path, StateOptions options = {});

}  // namespace daxd::state
