// SPDX-License-Identifier: Apache-2.0
// Registration of the snapshot operations, and the list/get/normalise entry points (placeholders
// until the create owner fills them).
#include "daemon/orchestrator/snapshot_ops.h"

#include "daemon/orchestrator/snapshot_spec.h"

namespace daxd::orchestrator {

void register_snapshot_operations(Orchestrator& o, state::DesiredState& desired,
                                  state::Journal& journal, Hooks* hooks) {
  o.register_type(detail::create_snapshot_type(desired, journal, hooks));
  o.register_type(detail::destroy_snapshot_type(desired, journal, hooks));
  o.register_type(detail::restore_snapshot_type(desired, journal, hooks));
  o.register_type(detail::mount_snapshot_type(desired));
}

namespace {
Result<void> not_built() { return Fail(Errc::unsupported, "snapshots are not built yet"); }
}  // namespace

Result<nlohmann::json> normalise_create_snapshot(host::Host&, state::DesiredState&,
                                                 std::string const&, nlohmann::json const&) {
  DAXD_TRY(not_built());
  return nlohmann::json{};
}

Result<std::optional<Snapshot>> existing_snapshot(state::DesiredState&, nlohmann::json const&) {
  DAXD_TRY(not_built());
  return std::optional<Snapshot>{};
}

Result<nlohmann::json> normalise_destroy_snapshot(state::DesiredState&, std::string const&,
                                                  std::string const&, nlohmann::json const&) {
  DAXD_TRY(not_built());
  return nlohmann::json{};
}

Result<nlohmann::json> normalise_restore_snapshot(state::DesiredState&, std::string const&,
                                                  std::string const&, nlohmann::json const&) {
  DAXD_TRY(not_built());
  return nlohmann::json{};
}

Result<nlohmann::json> normalise_mount_snapshot(state::DesiredState&, std::string const&,
                                                std::string const&, nlohmann::json const&) {
  DAXD_TRY(not_built());
  return nlohmann::json{};
}

Result<std::vector<Snapshot>> list_snapshots(host::Host&, state::DesiredState&,
                                             std::string const&) {
  DAXD_TRY(not_built());
  return std::vector<Snapshot>{};
}

Result<Snapshot> get_snapshot(host::Host&, state::DesiredState&, std::string const&,
                              std::string const&) {
  DAXD_TRY(not_built());
  return Snapshot{};
}

}  // namespace daxd::orchestrator
