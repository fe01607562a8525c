// SPDX-License-Identifier: Apache-2.0
// The cached view of regions, namespaces, dm devices, mounts and volumes that readers share.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "daemon/host/host.h"
#include "daemon/model/device.h"
#include "daemon/model/namespace.h"
#include "daemon/model/region.h"
#include "daemon/model/result.h"
#include "daemon/model/volume.h"

namespace daxd::inventory {

/// One consistent snapshot of what the host shows. Immutable once published, so readers on any
/// thread hold it without locks while a refresh builds the next one.
struct View {
  std::vector<Region> regions;
  std::vector<Namespace> namespaces;
  std::vector<DmDevice> dm_devices;
  std::vector<MountEntry> mounts;
  std::vector<Volume> volumes;
  std::uint64_t generation = 0;      // increases with every published refresh
  std::int64_t refreshed_at_ms = 0;  // unix ms

  Region const* find_region(std::string_view dev) const;
  /// By label name first, then by kernel dev name ("namespace0.0").
  Namespace const* find_namespace(std::string_view name_or_dev) const;
};

class Inventory {
 public:
  explicit Inventory(host::Host& host);

  /// Reads everything from the host and publishes a new View. On failure the previous View
  /// stays published. Errors: whatever the host reports (io_error, unavailable).
  Result<std::shared_ptr<View const>> refresh();

  /// The latest published View; refreshes first when marked stale (after a uevent or an
  /// operation) so that readers never see state older than the last change daxd knows of.
  std::shared_ptr<View const> current();

  /// The published View when it is neither stale nor older than `max_age_ms`; otherwise a
  /// refresh, whose failure is returned (unlike current()). For liveness probes.
  Result<std::shared_ptr<View const>> fresh_within(std::int64_t max_age_ms);

  /// Marks the cache stale; the next current() refreshes. Cheap: safe from any thread.
  void invalidate();

  /// Volumes come from daxd's desired state joined with what the kernel shows; the source
  /// builds them from the freshly read dm devices and mounts at every refresh.
  using VolumeSource = std::function<Result<std::vector<Volume>>(View const& kernel)>;
  void set_volume_source(VolumeSource source);

  /// Fixed volumes instead of a source (tests).
  void set_volumes(std::vector<Volume> volumes);

 private:
  host::Host& host_;
  std::mutex refresh_mutex_;          // one refresh at a time
  mutable std::mutex publish_mutex_;  // guards view_ and stale_
  std::shared_ptr<View const> view_;
  std::vector<Volume> volumes_;
  VolumeSource volume_source_;  // guarded by publish_mutex_
  bool stale_ = true;
};

}  // namespace daxd::inventory
