// SPDX-License-Identifier: Apache-2.0
// Inventory refresh: one pass over the host per change, never per request.
#include "daemon/inventory/inventory.h"

#include <algorithm>
#include <utility>

namespace daxd::inventory {

Region const* View::find_region(std::string_view dev) const {
  auto const it =
      std::find_if(regions.begin(), regions.end(), [&](Region const& r) { return r.dev == dev; });
  return it == regions.end() ? nullptr : &*it;
}

Namespace const* View::find_namespace(std::string_view name_or_dev) const {
  auto const by_name = std::find_if(namespaces.begin(), namespaces.end(),
                                    [&](Namespace const& n) { return n.name == name_or_dev; });
  if (by_name != namespaces.end()) return &*by_name;
  auto const by_dev = std::find_if(namespaces.begin(), namespaces.end(),
                                   [&](Namespace const& n) { return n.dev == name_or_dev; });
  return by_dev == namespaces.end() ? nullptr : &*by_dev;
}

Inventory::Inventory(host::Host& host) : host_(host), view_(std::make_shared<View>()) {}

Result<std::shared_ptr<View const>> Inventory::refresh() {
  std::lock_guard const one_refresh(refresh_mutex_);
  // Clear the flag before reading: an invalidate() that lands during the read marks the result
  // stale again instead of being lost.
  {
    std::lock_guard const lock(publish_mutex_);
    stale_ = false;
  }
  auto next = std::make_shared<View>();
  DAXD_ASSIGN_OR_RETURN(next->regions, host_.nvdimm().list_regions());
  DAXD_ASSIGN_OR_RETURN(next->namespaces, host_.nvdimm().list_namespaces());
  DAXD_ASSIGN_OR_RETURN(next->dm_devices, host_.device_mapper().list_devices());
  DAXD_ASSIGN_OR_RETURN(next->mounts, host_.filesystems().list_mounts());
  next->refreshed_at_ms = host_.clock().now_unix_ms();
  VolumeSource source;
  {
    std::lock_guard const lock(publish_mutex_);
    source = volume_source_;
    next->volumes = volumes_;
  }
  if (source) {
    DAXD_ASSIGN_OR_RETURN(next->volumes, source(*next));
  }
  std::lock_guard const lock(publish_mutex_);
  next->generation = view_->generation + 1;
  view_ = next;
  return std::shared_ptr<View const>(std::move(next));
}

std::shared_ptr<View const> Inventory::current() {
  {
    std::lock_guard const lock(publish_mutex_);
    if (!stale_) return view_;
  }
  auto fresh = refresh();
  if (fresh) return *fresh;
  // The host failed to answer: serve the last good view rather than nothing; the failure is
  // visible in /healthz through refresh() callers.
  std::lock_guard const lock(publish_mutex_);
  stale_ = true;
  return view_;
}

Result<std::shared_ptr<View const>> Inventory::fresh_within(std::int64_t max_age_ms) {
  {
    std::lock_guard const lock(publish_mutex_);
    std::int64_t const age_ms = view_ ? host_.clock().now_unix_ms() - view_->refreshed_at_ms : 0;
    if (!stale_ && view_ && age_ms <= max_age_ms) return view_;
  }
  return refresh();
}

void Inventory::invalidate() {
  std::lock_guard const lock(publish_mutex_);
  stale_ = true;
}

void Inventory::set_volume_source(VolumeSource source) {
  std::lock_guard const lock(publish_mutex_);
  volume_source_ = std::move(source);
  stale_ = true;
}

void Inventory::set_volumes(std::vector<Volume> volumes) {
  std::lock_guard const lock(publish_mutex_);
  volumes_ = std::move(volumes);
  stale_ = true;
}

}  // namespace daxd::inventory
