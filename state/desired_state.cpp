// SPDX-License-Identifier: Apache-2.0
// Desired volumes, hooks and the namespace name cache on SQLite.
#include "state/desired_state.h"

namespace daxd::state {
namespace {

// Runs `sql` with `args` and collects every row through `read`, under one read snapshot.
template <typename T, typename Read, typename... Args>
Result<std::vector<T>> query_all(Database& db, std::string_view sql, Read read,
                                 Args const&... args) {
  std::vector<T> out;
  auto body = [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(Statement stmt, db.prepare(sql));
    DAXD_TRY(stmt.bind_all(args...));
    for (;;) {
      DAXD_ASSIGN_OR_RETURN(bool has_row, stmt.step());
      if (!has_row) return Ok();
      out.push_back(read(stmt));
    }
  };
  DAXD_TRY(read_transaction(db, body));
  return out;
}

// Runs one write statement in its own transaction; returns the number of rows changed.
template <typename... Args>
Result<std::int64_t> write_one(Database& db, std::string_view sql, Args const&... args) {
  std::int64_t changed = 0;
  auto body = [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(Statement stmt, db.prepare(sql));
    DAXD_TRY(stmt.bind_all(args...));
    DAXD_TRY(stmt.run());
    changed = db.changes();
    return Ok();
  };
  DAXD_TRY(write_transaction(db, body));
  return changed;
}

DesiredVolume read_volume(Statement const& row) {
  return DesiredVolume{row.column_text(0), row.column_text(1), row.column_int64(2)};
}

HookRecord read_hook(Statement const& row) {
  return HookRecord{row.column_int64(0), row.column_text(1), row.column_text(2),
                    row.column_text(3)};
}

SnapshotRecord read_snapshot(Statement const& row) {
  return SnapshotRecord{row.column_text(0), row.column_text(1), row.column_text(2),
                        row.column_int64(3)};
}

ResourceName read_name(Statement const& row) {
  return ResourceName{row.column_text(0), row.column_text(1), row.column_text(2),
                      row.column_text(3)};
}

template <typename T>
std::optional<T> first(std::vector<T>&& rows) {
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

}  // namespace

Result<bool> DesiredState::put(std::string const& name, std::string const& spec_json) {
  // The WHERE on the upsert leaves an identical spec untouched, so changes() tells "no-op".
  DAXD_ASSIGN_OR_RETURN(
      std::int64_t changed,
      write_one(db_,
                "INSERT INTO desired_volumes (name, spec_json, updated_at_ms) VALUES (?1, ?2, ?3) "
                "ON CONFLICT (name) DO UPDATE SET spec_json = excluded.spec_json, "
                "updated_at_ms = excluded.updated_at_ms WHERE spec_json <> excluded.spec_json",
                name, spec_json, now_()));
  return changed != 0;
}

Result<DesiredVolume> DesiredState::get(std::string const& name) {
  DAXD_ASSIGN_OR_RETURN(
      std::vector<DesiredVolume> rows,
      query_all<DesiredVolume>(
          db_, "SELECT name, spec_json, updated_at_ms FROM desired_volumes WHERE name = ?1",
          read_volume, name));
  if (rows.empty()) return Fail(Errc::not_found, "volume " + name + ": no desired state");
  return std::move(rows.front());
}

Result<std::vector<DesiredVolume>> DesiredState::list() {
  return query_all<DesiredVolume>(
      db_, "SELECT name, spec_json, updated_at_ms FROM desired_volumes ORDER BY name", read_volume);
}

Result<bool> DesiredState::remove(std::string const& name) {
  std::int64_t removed = 0;
  auto body = [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(Statement vol,
                          db_.prepare("DELETE FROM desired_volumes WHERE name = ?1"));
    DAXD_TRY(vol.bind(1, name));
    DAXD_TRY(vol.run());
    removed = db_.changes();
    DAXD_ASSIGN_OR_RETURN(Statement hooks, db_.prepare("DELETE FROM hooks WHERE volume = ?1"));
    DAXD_TRY(hooks.bind(1, name));
    return hooks.run();
  };
  DAXD_TRY(write_transaction(db_, body));
  return removed != 0;
}

Result<std::int64_t> DesiredState::add_hook(std::string const& volume, std::string const& kind,
                                            std::string const& spec_json) {
  std::int64_t id = 0;
  auto body = [&]() -> Result<void> {
    DAXD_ASSIGN_OR_RETURN(
        Statement ins,
        db_.prepare("INSERT INTO hooks (volume, kind, spec_json) VALUES (?1, ?2, ?3)"));
    DAXD_TRY(ins.bind_all(volume, kind, spec_json));
    DAXD_TRY(ins.run());
    id = db_.last_insert_rowid();
    return Ok();
  };
  DAXD_TRY(write_transaction(db_, body));
  return id;
}

Result<std::vector<HookRecord>> DesiredState::hooks(std::string const& volume) {
  return query_all<HookRecord>(
      db_, "SELECT id, volume, kind, spec_json FROM hooks WHERE ?1 = '' OR volume = ?1 ORDER BY id",
      read_hook, volume);
}

Result<void> DesiredState::remove_hook(std::int64_t id) {
  DAXD_ASSIGN_OR_RETURN(std::int64_t changed,
                        write_one(db_, "DELETE FROM hooks WHERE id = ?1", id));
  if (changed == 0) return Fail(Errc::not_found, "hook " + std::to_string(id) + ": not found");
  return Ok();
}

Result<bool> DesiredState::put_snapshot(std::string const& volume, std::string const& name,
                                        std::string const& spec_json) {
  // As put(): an identical spec is left untouched, so changes() tells "no-op".
  DAXD_ASSIGN_OR_RETURN(
      std::int64_t changed,
      write_one(db_,
                "INSERT INTO snapshots (volume, name, spec_json, updated_at_ms) "
                "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (volume, name) DO UPDATE SET "
                "spec_json = excluded.spec_json, updated_at_ms = excluded.updated_at_ms "
                "WHERE spec_json <> excluded.spec_json",
                volume, name, spec_json, now_()));
  return changed != 0;
}

Result<SnapshotRecord> DesiredState::get_snapshot(std::string const& volume,
                                                  std::string const& name) {
  DAXD_ASSIGN_OR_RETURN(
      std::vector<SnapshotRecord> rows,
      query_all<SnapshotRecord>(db_,
                                "SELECT volume, name, spec_json, updated_at_ms FROM snapshots "
                                "WHERE volume = ?1 AND name = ?2",
                                read_snapshot, volume, name));
  if (rows.empty()) {
    return Fail(Errc::not_found, "volume " + volume + ": no snapshot '" + name + "'");
  }
  return std::move(rows.front());
}

Result<std::vector<SnapshotRecord>> DesiredState::snapshots(std::string const& volume) {
  return query_all<SnapshotRecord>(
      db_,
      "SELECT volume, name, spec_json, updated_at_ms FROM snapshots "
      "WHERE ?1 = '' OR volume = ?1 ORDER BY volume, name",
      read_snapshot, volume);
}

Result<bool> DesiredState::remove_snapshot(std::string const& volume, std::string const& name) {
  DAXD_ASSIGN_OR_RETURN(
      std::int64_t changed,
      write_one(db_, "DELETE FROM snapshots WHERE volume = ?1 AND name = ?2", volume, name));
  return changed != 0;
}

Result<void> DesiredState::put_name(ResourceName const& entry) {
  DAXD_TRY(
      write_one(db_,
                "INSERT INTO resource_names (kind, name, kernel_dev, uuid) VALUES (?1, ?2, ?3, ?4) "
                "ON CONFLICT (kind, name) DO UPDATE SET kernel_dev = excluded.kernel_dev, "
                "uuid = excluded.uuid",
                entry.kind, entry.name, entry.kernel_dev, entry.uuid));
  return Ok();
}

Result<std::optional<ResourceName>> DesiredState::find_name(std::string const& kind,
                                                            std::string const& name) {
  DAXD_ASSIGN_OR_RETURN(
      std::vector<ResourceName> rows,
      query_all<ResourceName>(
          db_,
          "SELECT kind, name, kernel_dev, uuid FROM resource_names WHERE kind = ?1 AND name = ?2",
          read_name, kind, name));
  return first(std::move(rows));
}

Result<std::optional<ResourceName>> DesiredState::find_by_dev(std::string const& kind,
                                                              std::string const& kernel_dev) {
  DAXD_ASSIGN_OR_RETURN(
      std::vector<ResourceName> rows,
      query_all<ResourceName>(db_,
                              "SELECT kind, name, kernel_dev, uuid FROM resource_names "
                              "WHERE kind = ?1 AND kernel_dev = ?2 ORDER BY name LIMIT 1",
                              read_name, kind, kernel_dev));
  return first(std::move(rows));
}

Result<std::vector<ResourceName>> DesiredState::names(std::string const& kind) {
  return query_all<ResourceName>(
      db_, "SELECT kind, name, kernel_dev, uuid FROM resource_names WHERE kind = ?1 ORDER BY name",
      read_name, kind);
}

Result<bool> DesiredState::remove_name(std::string const& kind, std::string const& name) {
  DAXD_ASSIGN_OR_RETURN(
      std::int64_t changed,
      write_one(db_, "DELETE FROM resource_names WHERE kind = ?1 AND name = ?2", kind, name));
  return changed != 0;
}

}  // namespace daxd::state
