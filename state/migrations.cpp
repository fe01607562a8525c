// SPDX-License-Identifier: Apache-2.0
// Schema migrations: v1 creates the journal, audit, events and desired-state tables; v2 adds
// error codes; v3 the snapshots table.
#include "state/migrations.h"

#include <array>
#include <string>

namespace daxd::state {
namespace {

// Version 1. States are stored as their to_string() names so that the sqlite3 shell is enough
// to read a journal during an incident; they are parsed back strictly when loaded.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE operations (
  id             INTEGER PRIMARY KEY,
  type           TEXT    NOT NULL,
  target         TEXT    NOT NULL,
  state          TEXT    NOT NULL,
  past_commit    INTEGER NOT NULL DEFAULT 0 CHECK (past_commit IN (0, 1)),
  request_json   TEXT    NOT NULL DEFAULT '',
  error          TEXT    NOT NULL DEFAULT '',
  created_at_ms  INTEGER NOT NULL,
  finished_at_ms INTEGER NOT NULL DEFAULT 0,
  stopped_ms     INTEGER NOT NULL DEFAULT 0,
  frozen_ms      INTEGER NOT NULL DEFAULT 0
);
-- Recovery at start-up asks for the few operations that are not final.
CREATE INDEX operations_unfinished ON operations(id)
  WHERE state IN ('pending', 'running', 'rolling_back');

-- data_json records what a step created or changed (e.g. the kernel name of a new namespace)
-- so that undo or redo after a crash knows what to touch.
CREATE TABLE operation_steps (
  operation_id  INTEGER NOT NULL REFERENCES operations(id) ON DELETE CASCADE,
  idx           INTEGER NOT NULL CHECK (idx >= 0),
  name          TEXT    NOT NULL,
  description   TEXT    NOT NULL DEFAULT '',
  state         TEXT    NOT NULL,
  commit_point  INTEGER NOT NULL DEFAULT 0 CHECK (commit_point IN (0, 1)),
  data_json     TEXT    NOT NULL DEFAULT '',
  error         TEXT    NOT NULL DEFAULT '',
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (operation_id, idx)
) WITHOUT ROWID;

-- Peer credentials are NULL when the request did not come over the unix socket.
CREATE TABLE audit (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms        INTEGER NOT NULL,
  peer_uid     INTEGER,
  peer_gid     INTEGER,
  peer_pid     INTEGER,
  method       TEXT    NOT NULL,
  path         TEXT    NOT NULL,
  body_excerpt TEXT    NOT NULL DEFAULT '',
  status       INTEGER NOT NULL,
  result       TEXT    NOT NULL DEFAULT '',
  operation_id INTEGER REFERENCES operations(id) ON DELETE SET NULL
);
CREATE INDEX audit_by_operation ON audit(operation_id) WHERE operation_id IS NOT NULL;

-- The id is the server-sent event id; AUTOINCREMENT keeps ids unique after pruning so that a
-- client's Last-Event-ID never points at a different event.
CREATE TABLE events (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms     INTEGER NOT NULL,
  type      TEXT    NOT NULL,
  object    TEXT    NOT NULL DEFAULT '',
  data_json TEXT    NOT NULL DEFAULT '{}'
);

CREATE TABLE desired_volumes (
  name          TEXT    PRIMARY KEY,
  spec_json     TEXT    NOT NULL,
  updated_at_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE hooks (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  volume    TEXT    NOT NULL,
  kind      TEXT    NOT NULL,
  spec_json TEXT    NOT NULL
);
CREATE INDEX hooks_by_volume ON hooks(volume);

-- A cache of namespace names; the namespace labels on the DIMMs stay the truth.
CREATE TABLE resource_names (
  kind       TEXT NOT NULL,
  name       TEXT NOT NULL,
  kernel_dev TEXT NOT NULL,
  uuid       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (kind, name)
) WITHOUT ROWID;
CREATE INDEX resource_names_by_dev ON resource_names(kind, kernel_dev);
)sql";

// v2: the error code (daxd::Errc name) of a failed operation, so the API answers with the
// right status when a client waits for an operation that rolled back.
constexpr char const kSchemaV2[] = R"sql(
ALTER TABLE operations ADD COLUMN error_code TEXT NOT NULL DEFAULT '';
)sql";

// v3: snapshots of volumes (issue 6), stored as JSON specs like the desired volumes.
constexpr char const kSchemaV3[] = R"sql(
CREATE TABLE snapshots (
  volume        TEXT    NOT NULL,
  name          TEXT    NOT NULL,
  spec_json     TEXT    NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (volume, name)
) WITHOUT ROWID;
)sql";

constexpr std::array kMigrations = {
    Migration{1, kSchemaV1},
    Migration{2, kSchemaV2},
    Migration{3, kSchemaV3},
};

Result<void> apply(Database& db, Migration const& m, int from) {
  DAXD_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db));
  // Re-read under the write lock: another connection may have migrated meanwhile.
  DAXD_ASSIGN_OR_RETURN(std::int64_t current, db.query_int("PRAGMA user_version"));
  if (current != from) return tx.commit();
  if (auto r = db.exec(m.sql); !r) {
    return Fail(Errc::io_error, "state database: migration to schema " + std::to_string(m.version) +
                                    " failed: " + r.error().message);
  }
  DAXD_TRY(db.exec("PRAGMA user_version=" + std::to_string(m.version)));
  return tx.commit();
}

}  // namespace

std::span<Migration const> builtin_migrations() { return kMigrations; }

int latest_schema_version() { return kMigrations.back().version; }

Result<int> schema_version(Database& db) {
  std::lock_guard<std::mutex> lock(db.mutex());
  DAXD_ASSIGN_OR_RETURN(std::int64_t v, db.query_int("PRAGMA user_version"));
  return static_cast<int>(v);
}

Result<int> migrate(Database& db, std::span<Migration const> migrations) {
  int const latest = migrations.empty() ? 0 : migrations.back().version;
  DAXD_ASSIGN_OR_RETURN(int version, schema_version(db));
  if (version > latest) {
    return Fail(Errc::unsupported, "state database schema " + std::to_string(version) +
                                       " is newer than this daxd (" + std::to_string(latest) + ")");
  }
  for (Migration const& m : migrations) {
    assert(m.version > 0 && "migration versions start at 1");
    if (m.version <= version) continue;
    assert(m.version == version + 1 && "migrations are consecutive");
    DAXD_TRY(apply(db, m, version));
    DAXD_ASSIGN_OR_RETURN(version, schema_version(db));
  }
  return version;
}

}  // namespace daxd::state
