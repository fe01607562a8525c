// SPDX-License-Identifier: Apache-2.0
// Device watch: one thread drains the uevent queue; the view is re-read once per batch.
#include "daemon/device_watch.h"

#include <algorithm>
#include <utility>

namespace daxd {
namespace {

using host::DeviceAction;
using host::DeviceEvent;

bool any_removal(std::vector<DeviceEvent> const& batch) {
  return std::any_of(batch.begin(), batch.end(),
                     [](DeviceEvent const& e) { return e.action == DeviceAction::remove; });
}

std::string devnum_text(DevNumber d) {
  return std::to_string(d.major) + ":" + std::to_string(d.minor);
}

}  // namespace

DeviceWatch::DeviceWatch(host::DeviceEvents& source, inventory::Inventory& inventory,
                         orchestrator::EventSink& events, state::Journal& journal)
    : source_(source), inventory_(inventory), events_(events), journal_(journal) {}

DeviceWatch::~DeviceWatch() { stop(); }

Result<void> DeviceWatch::start() {
  if (thread_.joinable()) return Fail(Errc::already_exists, "the device watch is running");
  auto const view = inventory_.current();
  for (auto const& v : view->volumes) {
    if (v.state == VolumeState::failed) reported_.insert(v.name);
  }
  remember_devices(*view);
  {
    std::lock_guard const lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
  if (auto started = source_.start([this](DeviceEvent const& e) { enqueue(e); }); !started) {
    stop();
    return started;
  }
  return Ok();
}

void DeviceWatch::stop() {
  source_.stop();
  {
    std::lock_guard const lock(mu_);
    stopping_ = true;
    handled_ += queue_.size();
    queue_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DeviceWatch::wait_idle() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return handled_ == queued_ || stopping_; });
}

void DeviceWatch::enqueue(DeviceEvent const& e) {
  {
    std::lock_guard const lock(mu_);
    if (stopping_) return;
    queue_.push_back(e);
    ++queued_;
  }
  cv_.notify_all();
}

void DeviceWatch::run() {
  while (true) {
    std::vector<DeviceEvent> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      batch.assign(queue_.begin(), queue_.end());
      queue_.clear();
    }
    handle(batch);
    {
      std::lock_guard const lock(mu_);
      handled_ += batch.size();
    }
    cv_.notify_all();
  }
}

void DeviceWatch::handle(std::vector<DeviceEvent> const& batch) {
  inventory_.invalidate();
  for (auto const& e : batch) {
    if (e.action != DeviceAction::remove) continue;
    events_.publish(orchestrator::Event{
        "device-removed",
        "device/" + e.devname,
        {{"subsystem", e.subsystem}, {"devname", e.devname}, {"devnum", devnum_text(e.devnum)}}});
  }
  // Adds and changes matter only to volumes reported failed: they may be healthy again.
  if (!any_removal(batch) && reported_.empty()) return;
  // Busy first: an operation that ends after this check has already changed the desired state,
  // and the view read next (refreshed: invalidated above) shows that.
  auto const busy = busy_volumes();
  auto const view = inventory_.current();
  std::set<std::string> still_failed;
  for (auto const& v : view->volumes) {
    if (v.state != VolumeState::failed) continue;
    still_failed.insert(v.name);
    if (reported_.contains(v.name) || busy.contains(v.name)) continue;
    events_.publish(orchestrator::Event{
        "volume-failed",
        "volume/" + v.name,
        {{"volume", v.name}, {"reason", v.reason}, {"device", device_for(v.name, batch)}}});
    reported_.insert(v.name);
  }
  std::erase_if(reported_, [&](std::string const& name) { return !still_failed.contains(name); });
  remember_devices(*view);
}

// The kernel devices each volume stands on (dm-N, namespaceR.N, pmemR.N), kept from the last
// view where they existed: after a removal the fresh view no longer shows them.
void DeviceWatch::remember_devices(inventory::View const& view) {
  for (auto const& v : view.volumes) {
    std::set<std::string> devs;
    if (!v.blockdev.empty()) devs.insert(v.blockdev);
    for (auto const& x : v.extents) {
      if (auto const* ns = view.find_namespace(x.namespace_name)) {
        devs.insert(ns->dev);
        if (!ns->blockdev.empty()) devs.insert(ns->blockdev);
      }
    }
    auto& known = devices_of_[v.name];
    if (v.state != VolumeState::failed) known.clear();  // dm-N numbers are reused
    known.insert(devs.begin(), devs.end());
  }
}

std::string DeviceWatch::device_for(std::string const& volume,
                                    std::vector<DeviceEvent> const& batch) const {
  auto const it = devices_of_.find(volume);
  std::string first;
  for (auto const& e : batch) {
    if (e.action != DeviceAction::remove) continue;
    if (first.empty()) first = e.devname;
    if (it != devices_of_.end() && it->second.contains(e.devname)) return e.devname;
  }
  return first;
}

std::set<std::string> DeviceWatch::busy_volumes() {
  std::set<std::string> out;
  auto const unfinished = journal_.unfinished();
  if (!unfinished) return out;  // no journal: report rather than stay silent
  for (auto const& op : *unfinished) {
    if (op.target.rfind("volume/", 0) == 0) out.insert(op.target.substr(7));
    // A snapshot operation ("snapshot/VOL@SNAP") removes and re-creates its volume's device.
    if (op.target.rfind("snapshot/", 0) == 0) {
      out.insert(op.target.substr(9, op.target.find('@') - 9));
    }
  }
  return out;
}

}  // namespace daxd
