// SPDX-License-Identifier: Apache-2.0
// The uevent monitor: one thread polling the netlink socket and an eventfd that stops it.
#include "daemon/host/linux/linux_device_events.h"

#include <libudev.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>

namespace daxd::host::linux_impl {
namespace {

constexpr char const* kSubsystems[] = {"nd", "dax", "block"};

std::string text_of(char const* s) { return s == nullptr ? std::string() : std::string(s); }

// Only add, remove and change matter; bind/unbind/move/online/offline are skipped.
bool parse_action(std::string const& a, DeviceAction& out) {
  if (a == "add") return out = DeviceAction::add, true;
  if (a == "remove") return out = DeviceAction::remove, true;
  if (a == "change") return out = DeviceAction::change, true;
  return false;
}

struct DeviceUnref {
  void operator()(udev_device* d) const { udev_device_unref(d); }
};

}  // namespace

LinuxDeviceEvents::~LinuxDeviceEvents() { stop(); }

Result<void> LinuxDeviceEvents::start(Callback callback) {
  std::lock_guard const lock(mu_);
  if (thread_.joinable()) return Fail(Errc::already_exists, "device events already started");
  std::shared_ptr<udev> u(udev_new(), udev_unref);
  if (!u) return Fail(Errc::unavailable, "uevents: udev_new failed");
  // "kernel": the kernel's multicast group, present with or without udevd.
  std::shared_ptr<udev_monitor> mon(udev_monitor_new_from_netlink(u.get(), "kernel"),
                                    udev_monitor_unref);
  if (!mon) {
    Error e = error_from_errno(errno == 0 ? EPROTONOSUPPORT : errno, "uevents: netlink socket");
    e.code = Errc::unavailable;
    return Fail(std::move(e));
  }
  for (char const* s : kSubsystems) {
    if (int const rc = udev_monitor_filter_add_match_subsystem_devtype(mon.get(), s, nullptr);
        rc < 0) {
      return error_from_errno(-rc, std::string("uevents: filter ") + s);
    }
  }
  if (int const rc = udev_monitor_enable_receiving(mon.get()); rc < 0) {
    Error e = error_from_errno(-rc, "uevents: bind netlink socket");
    e.code = Errc::unavailable;
    return Fail(std::move(e));
  }
  int const wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake < 0) return error_from_errno(errno, "uevents: eventfd");
  wake_fd_ = wake;
  udev_ = std::move(u);
  monitor_ = std::move(mon);
  int const fd = udev_monitor_get_fd(monitor_.get());
  thread_ = std::thread([this, cb = std::move(callback), fd] { run(cb, fd); });
  return Ok();
}

void LinuxDeviceEvents::stop() {
  std::lock_guard const lock(mu_);
  if (!thread_.joinable()) return;
  std::uint64_t const one = 1;
  if (::write(wake_fd_, &one, sizeof one) < 0) {
    std::fprintf(stderr, "daxd: uevents: cannot wake the monitor thread\n");
  }
  thread_.join();
  ::close(wake_fd_);
  wake_fd_ = -1;
  monitor_.reset();
  udev_.reset();
}

void LinuxDeviceEvents::run(Callback callback, int monitor_fd) {
  while (true) {
    pollfd fds[2] = {{monitor_fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int const n = ::poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (fds[1].revents & POLLIN) != 0) return;
    if ((fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 && (fds[0].revents & POLLIN) == 0) {
      std::fprintf(stderr, "daxd: uevents: the netlink socket failed; no more device events\n");
      return;
    }
    if ((fds[0].revents & POLLIN) == 0) continue;
    errno = 0;
    std::unique_ptr<udev_device, DeviceUnref> d(udev_monitor_receive_device(monitor_.get()));
    if (!d) {
      // Filtered out (EAGAIN) or lost (ENOBUFS after an overflow): after a loss caches may be
      // stale, whatever the lost events were.
      if (errno == ENOBUFS) callback(DeviceEvent{DeviceAction::change, "nd", "", {}});
      continue;
    }
    DeviceEvent e;
    if (!parse_action(text_of(udev_device_get_action(d.get())), e.action)) continue;
    e.subsystem = text_of(udev_device_get_subsystem(d.get()));
    e.devname = text_of(udev_device_get_sysname(d.get()));
    dev_t const num = udev_device_get_devnum(d.get());
    e.devnum = DevNumber{major(num), minor(num)};
    if (is_watched(e)) callback(e);
  }
}

}  // namespace daxd::host::linux_impl
