// SPDX-License-Identifier: Apache-2.0
// device-mapper through libdevmapper: ioctls, udev cookies or library-made nodes, captured logs.
#include "daemon/host/linux/linux_device_mapper.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include "daemon/host/linux/ndctl_handles.h"

namespace daxd::host::linux_impl {
namespace {

// libdevmapper logs through one global function: keep the last error per thread.
thread_local std::string g_last_dm_error;
std::mutex g_dm_mutex;  // libdevmapper's node-op stack is global state
int g_dm_users = 0;     // LinuxDeviceMapper instances alive (guarded by g_dm_mutex)

void capture_dm_log(int level, char const* /*file*/, int /*line*/, int /*dm_errno*/,
                    char const* fmt, ...) __attribute__((format(printf, 5, 6)));
void capture_dm_log(int level, char const* /*file*/, int /*line*/, int /*dm_errno*/,
                    char const* fmt, ...) {
  if ((level & 7) > 3) return;  // only _LOG_ERR and worse (_LOG_FATAL=2, _LOG_ERR=3)
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  g_last_dm_error = buf;
}

/// "name: cannot reload: Invalid argument (device-mapper: reload ioctl on x failed: ...)".
Error dm_error(dm_task* t, std::string const& context) {
  int err = t != nullptr ? dm_task_get_errno(t) : 0;
  if (err == 0) err = EIO;
  Error e = error_from_errno(err, context);
  if (!g_last_dm_error.empty()) e.message += " (" + g_last_dm_error + ")";
  return e;
}

/// Whether the kernel has device-mapper at all (dm-mod registers the "device-mapper" misc device).
bool dm_driver_present() {
  std::ifstream in("/proc/misc");
  std::string minor;
  std::string name;
  while (in >> minor >> name) {
    if (name == "device-mapper") return true;
  }
  return false;
}

bool udev_is_running() {
  if (std::getenv("DM_DISABLE_UDEV") != nullptr) return false;
  struct stat st {};
  return ::stat("/run/udev/control", &st) == 0;
}

Result<DmTask> new_task(int type, std::string const& name) {
  if (type != DM_DEVICE_LIST && !dm_driver_present()) {
    return Fail(Errc::unavailable, name + ": device-mapper is not available (dm-mod not loaded)");
  }
  DmTask t(dm_task_create(type));
  if (!t) return Fail(Errc::io_error, name + ": cannot create a device-mapper task");
  if (!name.empty() && dm_task_set_name(t.get(), name.c_str()) == 0) {
    return Fail(Errc::invalid_argument, name + ": invalid device-mapper name");
  }
  return t;
}

Result<void> add_targets(dm_task* t, std::string const& name, std::vector<DmTarget> const& table) {
  if (table.empty()) return Fail(Errc::invalid_argument, name + ": empty table");
  for (DmTarget const& tg : table) {
    if (dm_task_add_target(t, tg.start, tg.length, tg.type.c_str(), tg.params.c_str()) == 0) {
      return Fail(Errc::invalid_argument, name + ": cannot add target " + tg.type);
    }
  }
  return Ok();
}

std::vector<DmTarget> read_table(dm_task* t) {
  std::vector<DmTarget> out;
  void* next = nullptr;
  do {
    std::uint64_t start = 0;
    std::uint64_t length = 0;
    char* type = nullptr;
    char* params = nullptr;
    next = dm_get_next_target(t, next, &start, &length, &type, &params);
    if (type == nullptr) break;
    out.push_back(DmTarget{start, length, type, params != nullptr ? params : ""});
  } while (next != nullptr);
  return out;
}

bool queue_dax(DevNumber dev) {
  std::ifstream in("/sys/dev/block/" + std::to_string(dev.major) + ":" + std::to_string(dev.minor) +
                   "/queue/dax");
  int v = 0;
  return (in >> v) && v == 1;
}

}  // namespace

LinuxDeviceMapper::LinuxDeviceMapper() {
  std::lock_guard lock(g_dm_mutex);
  if (g_dm_users++ == 0) dm_log_with_errno_init(capture_dm_log);
  udev_sync_ = udev_is_running();
  if (!udev_sync_) {
    // No udevd: libdevmapper must make and remove /dev/mapper nodes itself. DM_DISABLE_UDEV
    // is what dmsetup honours; setting it only here keeps a running udevd in charge elsewhere.
    ::setenv("DM_DISABLE_UDEV", "1", 0);
    dm_udev_set_sync_support(0);
  }
  dm_hold_control_dev(1);  // keep /dev/mapper/control open between calls
}

LinuxDeviceMapper::~LinuxDeviceMapper() {
  std::lock_guard lock(g_dm_mutex);
  if (--g_dm_users > 0) return;  // libdevmapper state is process-wide: the last user cleans up
  dm_hold_control_dev(0);
  dm_lib_release();
  dm_log_with_errno_init(nullptr);
}

/// Runs `t`; with udevd it waits on a cookie, without it the library updates /dev/mapper.
static bool run_task(dm_task* t, bool udev_sync, bool makes_nodes) {
  g_last_dm_error.clear();
  if (!makes_nodes) return dm_task_run(t) != 0;
  if (!udev_sync) {
    dm_task_set_add_node(t, DM_ADD_NODE_ON_CREATE);
    bool const ok = dm_task_run(t) != 0;
    dm_task_update_nodes();
    return ok;
  }
  std::uint32_t cookie = 0;
  if (dm_task_set_cookie(t, &cookie, 0) == 0) return false;
  bool const ok = dm_task_run(t) != 0;
  dm_udev_wait(cookie);
  return ok;
}

Result<DmDevice> LinuxDeviceMapper::describe(std::string const& name) {
  DAXD_ASSIGN_OR_RETURN(DmTask info, new_task(DM_DEVICE_INFO, name));
  if (dm_task_run(info.get()) == 0) return dm_error(info.get(), name + ": cannot get info");
  dm_info di{};
  if (dm_task_get_info(info.get(), &di) == 0 || di.exists == 0) {
    return Fail(Errc::not_found, name + ": no such device-mapper device");
  }
  DmDevice d;
  d.name = name;
  char const* uuid = dm_task_get_uuid(info.get());
  d.uuid = uuid != nullptr ? uuid : "";
  d.dev = DevNumber{static_cast<std::uint32_t>(di.major), static_cast<std::uint32_t>(di.minor)};
  d.suspended = di.suspended != 0;
  d.dax = queue_dax(d.dev);
  DAXD_ASSIGN_OR_RETURN(DmTask table, new_task(DM_DEVICE_TABLE, name));
  if (dm_task_run(table.get()) == 0) return dm_error(table.get(), name + ": cannot read the table");
  d.table = read_table(table.get());
  return d;
}

Result<std::vector<DmDevice>> LinuxDeviceMapper::list_devices() {
  std::lock_guard lock(g_dm_mutex);
  if (!dm_driver_present()) return std::vector<DmDevice>{};  // no dm-mod: nothing to list
  DAXD_ASSIGN_OR_RETURN(DmTask list, new_task(DM_DEVICE_LIST, ""));
  if (dm_task_run(list.get()) == 0)
    return dm_error(list.get(), "cannot list device-mapper devices");
  std::vector<std::string> names;
  dm_names* n = dm_task_get_names(list.get());
  if (n != nullptr && n->dev != 0) {
    for (;;) {
      names.emplace_back(n->name);
      if (n->next == 0) break;
      n = reinterpret_cast<dm_names*>(reinterpret_cast<char*>(n) + n->next);
    }
  }
  std::vector<DmDevice> out;
  for (std::string const& name : names) {
    auto d = describe(name);
    if (!d && d.error().code == Errc::not_found) continue;  // removed while we listed
    if (!d) return std::move(d).error();
    out.push_back(std::move(d).value());
  }
  return out;
}

Result<DmDevice> LinuxDeviceMapper::create(std::string_view name_view, std::string_view uuid,
                                           std::vector<DmTarget> const& table) {
  std::string const name(name_view);
  std::lock_guard lock(g_dm_mutex);
  if (describe(name)) return Fail(Errc::already_exists, name + ": device-mapper device exists");
  DAXD_ASSIGN_OR_RETURN(DmTask t, new_task(DM_DEVICE_CREATE, name));
  if (!uuid.empty() && dm_task_set_uuid(t.get(), std::string(uuid).c_str()) == 0) {
    return Fail(Errc::invalid_argument, name + ": invalid uuid");
  }
  DAXD_TRY(add_targets(t.get(), name, table));
  // With a table, libdevmapper creates, loads and resumes, and removes the device again if
  // the load fails; the check below covers a failed resume too.
  if (!run_task(t.get(), udev_sync_, /*makes_nodes=*/true)) {
    Error e = dm_error(t.get(), name + ": cannot create");
    // libdevmapper removed the device again and lost the errno: the table was refused.
    if (e.code == Errc::io_error) {
      e.code = Errc::invalid_argument;
      e.message = name + ": cannot create: the kernel refused the table";
      if (!g_last_dm_error.empty()) e.message += " (" + g_last_dm_error + ")";
    }
    if (describe(name)) {
      DAXD_ASSIGN_OR_RETURN(DmTask rm, new_task(DM_DEVICE_REMOVE, name));
      if (!run_task(rm.get(), udev_sync_, /*makes_nodes=*/true)) {
        e.cause = dm_error(rm.get(), name + ": cannot remove the half-made device").message;
      }
    }
    return e;
  }
  return describe(name);
}

Result<void> LinuxDeviceMapper::reload(std::string_view name_view,
                                       std::vector<DmTarget> const& table) {
  std::string const name(name_view);
  std::lock_guard lock(g_dm_mutex);
  DAXD_ASSIGN_OR_RETURN(DmTask t, new_task(DM_DEVICE_RELOAD, name));
  DAXD_TRY(add_targets(t.get(), name, table));
  if (run_task(t.get(), udev_sync_, /*makes_nodes=*/false)) return Ok();
  Error e = dm_error(t.get(), name + ": cannot reload the table");
  if (e.code == Errc::invalid_argument) {
    e.message +=
        "; the kernel refused the table, e.g. it can't change device type of a "
        "DAX-capable device to a non-DAX table after the initial table load";
  }
  return e;
}

Result<void> LinuxDeviceMapper::simple_op(int task_type, std::string const& name,
                                          char const* verb) {
  std::lock_guard lock(g_dm_mutex);
  DAXD_ASSIGN_OR_RETURN(DmTask t, new_task(task_type, name));
  bool const nodes = task_type == DM_DEVICE_RESUME || task_type == DM_DEVICE_REMOVE;
  if (task_type == DM_DEVICE_REMOVE) dm_task_retry_remove(t.get());
  if (run_task(t.get(), udev_sync_, nodes)) return Ok();
  return dm_error(t.get(), name + ": cannot " + verb);
}

Result<void> LinuxDeviceMapper::suspend(std::string_view name) {
  return simple_op(DM_DEVICE_SUSPEND, std::string(name), "suspend");
}

Result<void> LinuxDeviceMapper::resume(std::string_view name) {
  return simple_op(DM_DEVICE_RESUME, std::string(name), "resume");
}

Result<void> LinuxDeviceMapper::remove(std::string_view name) {
  return simple_op(DM_DEVICE_REMOVE, std::string(name), "remove");
}

// DM_DEVICE_STATUS gives each live target's status params ("16/262144 16" for a snapshot).
Result<std::vector<std::string>> LinuxDeviceMapper::status(std::string_view name_view) {
  std::string const name(name_view);
  std::lock_guard lock(g_dm_mutex);
  DAXD_ASSIGN_OR_RETURN(DmTask t, new_task(DM_DEVICE_STATUS, name));
  if (!run_task(t.get(), udev_sync_, /*makes_nodes=*/false)) {
    return dm_error(t.get(), name + ": cannot read the status");
  }
  dm_info di{};
  if (dm_task_get_info(t.get(), &di) == 0 || di.exists == 0) {
    return Fail(Errc::not_found, name + ": no such device-mapper device");
  }
  std::vector<std::string> out;
  for (DmTarget& target : read_table(t.get())) out.push_back(std::move(target.params));
  return out;
}

}  // namespace daxd::host::linux_impl
