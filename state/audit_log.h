// SPDX-License-Identifier: Apache-2.0
// The audit log: who asked daxd for what over the API, and what came of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/model/result.h"
#include "state/database.h"

namespace daxd::state {

struct AuditEntry {
  std::int64_t id = 0;                    // assigned by record()
  std::int64_t at_ms = 0;                 // 0: record() takes the clock
  std::optional<std::uint32_t> peer_uid;  // unset unless the request came over the unix socket
  std::optional<std::uint32_t> peer_gid;
  std::optional<std::int32_t> peer_pid;
  std::string method;                        // "POST"
  std::string path;                          // "/v1/volumes/db/dax"
  std::string body_excerpt;                  // the start of the request body
  unsigned status = 0;                       // HTTP status sent
  std::string result;                        // "ok" or the error type
  std::optional<std::int64_t> operation_id;  // the operation it started; unset or 0: none
  friend bool operator==(AuditEntry const&, AuditEntry const&) = default;
};

/// Append-only log of API requests, pruned to the newest `keep` entries.
/// Thread-safe (see Database). Errors of every method: io_error, plus those listed.
class AuditLog {
 public:
  static constexpr std::size_t kDefaultKeep = 100000;
  static constexpr std::size_t kMaxExcerpt = 1024;

  AuditLog(Database& db, NowMs now, std::size_t keep = kDefaultKeep)
      : db_(db), now_(std::move(now)), keep_(keep) {}

  /// Appends `entry` (its body excerpt cut to kMaxExcerpt bytes; an operation_id of 0 stored as
  /// none) and returns its id. Errors: invalid_argument (operation_id names no operation).
  Result<std::int64_t> record(AuditEntry entry);
  /// Up to `limit` entries with id > since_id, oldest first.
  Result<std::vector<AuditEntry>> list(int limit, std::int64_t since_id = 0);
  /// Up to `limit` entries with id > since_id, newest first, skipping the `offset` newest of
  /// them (paging backwards through the log).
  Result<std::vector<AuditEntry>> newest(int limit, int offset = 0, std::int64_t since_id = 0);
  /// Deletes all but the newest `keep` entries; returns how many were deleted.
  Result<std::int64_t> prune(std::size_t keep);

 private:
  Database& db_;
  NowMs now_;
  std::size_t keep_;
};

}  // namespace daxd::state
