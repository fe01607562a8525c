// SPDX-License-Identifier: Apache-2.0
// Opening and migrating the state database.
#include "state/state_store.h"

#include "state/migrations.h"

namespace daxd::state {

StateStore::StateStore(Database db, StateOptions const& options)
    : db_(std::move(db)),
      journal_(db_, options.now),
      audit_(db_, options.now, options.audit_keep),
      events_(db_, options.now, options.events_keep),
      desired_(db_, options.now) {}

Result<std::unique_ptr<StateStore>> open_state(std::string const& path, StateOptions options) {
  DAXD_ASSIGN_OR_RETURN(Database db, Database::open(path));
  DAXD_TRY(migrate(db));
  return std::make_unique<StateStore>(std::move(db), options);
}

}  // namespace daxd::state
