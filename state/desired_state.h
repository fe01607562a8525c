// SPDX-License-Identifier: Apache-2.0
// Desired state: the volumes users asked for, their snapshots and quiesce hooks, and the
// namespace name cache.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/model/result.h"
#include "state/database.h"

namespace daxd::state {

struct DesiredVolume {
  std::string name;
  std::string spec_json;  // the volume spec as daemon/model/json.h writes it
  std::int64_t updated_at_ms = 0;
  friend bool operator==(DesiredVolume const&, DesiredVolume const&) = default;
};

struct HookRecord {
  std::int64_t id = 0;
  std::string volume;
  std::string kind;  // "exec", "http"
  std::string spec_json;
  friend bool operator==(HookRecord const&, HookRecord const&) = default;
};

/// A snapshot of a volume, stored as the JSON spec the orchestrator writes.
struct SnapshotRecord {
  std::string volume;
  std::string name;
  std::string spec_json;
  std::int64_t updated_at_ms = 0;
  friend bool operator==(SnapshotRecord const&, SnapshotRecord const&) = default;
};

/// A cached name of a kernel object; the namespace labels on the DIMMs remain the truth.
struct ResourceName {
  std::string kind;        // "namespace"
  std::string name;        // "db"
  std::string kernel_dev;  // "namespace0.1"
  std::string uuid;
  friend bool operator==(ResourceName const&, ResourceName const&) = default;
};

/// Desired volumes, hooks and the name cache, stored as JSON text (state/ does not parse it).
/// Thread-safe (see Database). Errors of every method: io_error, plus those listed.
class DesiredState {
 public:
  DesiredState(Database& db, NowMs now) : db_(db), now_(std::move(now)) {}

  /// Creates or replaces the desired volume `name`; returns false when the same spec was
  /// already stored (nothing changed).
  Result<bool> put(std::string const& name, std::string const& spec_json);
  /// Errors: not_found.
  Result<DesiredVolume> get(std::string const& name);
  /// Every desired volume, by name.
  Result<std::vector<DesiredVolume>> list();
  /// Removes `name` and its hooks; returns false when it was not there.
  Result<bool> remove(std::string const& name);

  /// Registers a hook for `volume` and returns its id.
  Result<std::int64_t> add_hook(std::string const& volume, std::string const& kind,
                                std::string const& spec_json);
  /// The hooks of `volume` (all hooks when empty), by id.
  Result<std::vector<HookRecord>> hooks(std::string const& volume = {});
  /// Errors: not_found.
  Result<void> remove_hook(std::int64_t id);

  /// Creates or replaces the snapshot (volume, name); returns false when the same spec was
  /// already stored (nothing changed).
  Result<bool> put_snapshot(std::string const& volume, std::string const& name,
                            std::string const& spec_json);
  /// Errors: not_found.
  Result<SnapshotRecord> get_snapshot(std::string const& volume, std::string const& name);
  /// The snapshots of `volume` (every snapshot when empty), by volume and name.
  Result<std::vector<SnapshotRecord>> snapshots(std::string const& volume = {});
  /// Returns false when there was no such snapshot.
  Result<bool> remove_snapshot(std::string const& volume, std::string const& name);

  /// Creates or replaces the cache entry (kind, name).
  Result<void> put_name(ResourceName const& entry);
  /// The cache entry (kind, name), if any.
  Result<std::optional<ResourceName>> find_name(std::string const& kind, std::string const& name);
  /// The cache entry of kernel device `kernel_dev`, if any.
  Result<std::optional<ResourceName>> find_by_dev(std::string const& kind,
                                                  std::string const& kernel_dev);
  /// Every cache entry of `kind`, by name.
  Result<std::vector<ResourceName>> names(std::string const& kind);
  /// Returns false when there was no such entry.
  Result<bool> remove_name(std::string const& kind, std::string const& name);

 private:
  Database& db_;
  NowMs now_;
};

}  // namespace daxd::state
