// SPDX-License-Identifier: Apache-2.0
// The ordered schema migrations of the state database, tracked with PRAGMA user_version.
#pragma once

#include <span>
#include <string_view>

#include "daemon/model/result.h"
#include "state/database.h"

namespace daxd::state {

/// One schema step: applying `sql` to a database at version `version - 1` brings it to `version`.
/// Released migrations are never edited; a change to the schema is a new migration.
struct Migration {
  int version;
  std::string_view sql;
};

/// The migrations this binary knows, in order; versions are 1, 2, 3, ...
std::span<Migration const> builtin_migrations();
/// The schema version this binary writes (the last builtin migration).
int latest_schema_version();

/// The database's PRAGMA user_version. Errors: io_error.
Result<int> schema_version(Database& db);

/// Brings the database to the last version in `migrations`, each migration in its own
/// transaction together with its user_version bump; returns the version reached.
/// Errors: unsupported (the database is newer than `migrations`), io_error (a migration failed;
/// the database stays at the last version that applied completely).
Result<int> migrate(Database& db, std::span<Migration const> migrations = builtin_migrations());

}  // namespace daxd::state
