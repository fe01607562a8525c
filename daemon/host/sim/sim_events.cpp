// SPDX-License-Identifier: Apache-2.0
// Sim uevents: a diff of the device lists before and after each change.
#include "daemon/host/sim/sim_events.h"

#include <algorithm>
#include <optional>

#include "daemon/host/sim/sim_rules.h"

namespace daxd::host::sim {
namespace {

// A device node as a uevent names it; nd namespaces have no node (0:0).
struct Node {
  std::string subsystem;
  std::string name;
  DevNumber dev;
  friend bool operator==(Node const&, Node const&) = default;
};

std::vector<Node> child_nodes(SimState const& s) {
  std::vector<Node> out;
  for (auto const& d : all_devices(s)) {
    switch (d.kind) {
      case DevKind::pmem:
      case DevKind::dm:
        out.push_back(Node{"block", d.kname, d.dev});
        break;
      case DevKind::dax:
        out.push_back(Node{"dax", d.kname, d.dev});
        break;
      case DevKind::other:
        break;
    }
  }
  return out;
}

std::vector<Node> namespace_nodes(SimState const& s) {
  std::vector<Node> out;
  for (auto const& n : s.namespaces) out.push_back(Node{"nd", n.dev, DevNumber{}});
  return out;
}

bool contains(std::vector<Node> const& all, Node const& n) {
  return std::find(all.begin(), all.end(), n) != all.end();
}

void append_missing(std::vector<DeviceEvent>& out, DeviceAction action,
                    std::vector<Node> const& from, std::vector<Node> const& in) {
  for (auto const& n : from) {
    if (!contains(in, n)) out.push_back(DeviceEvent{action, n.subsystem, n.name, n.dev});
  }
}

template <typename T>
T const* by_name(std::vector<T> const& all, std::string const& key, std::string T::*field) {
  auto const it = std::find_if(all.begin(), all.end(), [&](T const& x) { return x.*field == key; });
  return it == all.end() ? nullptr : &*it;
}

void append_changes(std::vector<DeviceEvent>& out, SimState const& before, SimState const& after) {
  for (auto const& d : after.dm_devices) {
    auto const* old = by_name(before.dm_devices, d.name, &SimDmDevice::name);
    if (old == nullptr || old->minor != d.minor) continue;  // an add, not a change
    if (old->table != d.table || old->suspended != d.suspended) {
      out.push_back(DeviceEvent{DeviceAction::change, "block", "dm-" + std::to_string(d.minor),
                                DevNumber{kDmMajor, d.minor}});
    }
  }
  for (auto const& n : after.namespaces) {
    auto const* old = by_name(before.namespaces, n.dev, &SimNamespace::dev);
    if (old != nullptr && (old->mode != n.mode || old->uuid != n.uuid)) {
      out.push_back(DeviceEvent{DeviceAction::change, "nd", n.dev, DevNumber{}});
    }
  }
}

}  // namespace

std::vector<DeviceEvent> device_changes(SimState const& before, SimState const& after) {
  auto const old_children = child_nodes(before);
  auto const new_children = child_nodes(after);
  auto const old_ns = namespace_nodes(before);
  auto const new_ns = namespace_nodes(after);
  std::vector<DeviceEvent> out;
  append_missing(out, DeviceAction::remove, old_children, new_children);
  append_missing(out, DeviceAction::remove, old_ns, new_ns);
  append_missing(out, DeviceAction::add, new_ns, old_ns);
  append_missing(out, DeviceAction::add, new_children, old_children);
  append_changes(out, before, after);
  return out;
}

Result<void> SimDeviceEvents::start(Callback callback) {
  std::lock_guard const lock(mu_);
  if (callback_) return Fail(Errc::already_exists, "device events already started");
  callback_ = std::move(callback);
  return Ok();
}

void SimDeviceEvents::stop() {
  std::lock_guard const lock(mu_);
  callback_ = nullptr;
}

void SimDeviceEvents::deliver(std::vector<DeviceEvent> const& events) {
  if (events.empty()) return;
  std::lock_guard const lock(mu_);
  if (!callback_) return;
  for (auto const& e : events) {
    if (is_watched(e)) callback_(e);
  }
}

}  // namespace daxd::host::sim
