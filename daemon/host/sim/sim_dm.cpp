// SPDX-License-Identifier: Apache-2.0
// Simulated device-mapper: table checks, the device type fixed at first load, suspend/resume.
#include <algorithm>
#include <sstream>

#include "daemon/host/sim/sim_ops.h"
#include "daemon/host/sim/sim_rules.h"
#include "daemon/host/sim/sim_snapshot.h"

namespace daxd::host::sim {
namespace {

constexpr std::string_view kKnownTargets[] = {
    "linear", "striped", "snapshot",   "snapshot-origin", "snapshot-merge",
    "error",  "zero",    "writecache", "thin-pool",       "thin"};

std::vector<std::string> words(std::string const& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::uint64_t number(std::string const& w) {
  std::uint64_t v = 0;
  for (char c : w) {
    if (c < '0' || c > '9') return ~0ULL;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

SimDmDevice* find_dm(SimState& s, std::string_view name) {
  auto const it = std::find_if(s.dm_devices.begin(), s.dm_devices.end(),
                               [&](SimDmDevice const& d) { return d.name == name; });
  return it == s.dm_devices.end() ? nullptr : &*it;
}

// dm_table_add_target()/device_area_is_invalid(): each referenced range must fit its device.
Result<void> check_range(SimState const& s, std::string const& where, std::string const& ref,
                         std::string_view self, std::uint64_t start, std::uint64_t len) {
  auto const d = find_device(s, ref);
  if (!d) return Fail(Errc::invalid_argument, where + ": device " + ref + " not found");
  if (d->kind == DevKind::dm && d->owner == self) {
    return Fail(Errc::invalid_argument, where + ": table refers to the device itself");
  }
  if (!d->block) return Fail(Errc::invalid_argument, where + ": " + ref + " is not a block device");
  // dm claims its devices exclusively (shared among dm devices): a mounted one is refused.
  if (auto const* m = mount_of_device(s, d->kname)) {
    return Fail(Errc::busy, where + ": " + d->node + ": Device or resource busy (mounted at " +
                                m->target + ")");
  }
  std::uint64_t const dev_sectors = d->size / 512;
  if (start > dev_sectors || len > dev_sectors - start) {
    return Fail(Errc::invalid_argument,
                where + ": " + d->kname + " too small for target: start=" + std::to_string(start) +
                    ", len=" + std::to_string(len) + ", dev_size=" + std::to_string(dev_sectors));
  }
  return Ok();
}

Result<void> check_target(SimState const& s, std::string_view name, DmTarget const& t,
                          std::size_t line) {
  std::string const where = std::string(name) + ": table line " + std::to_string(line);
  auto const w = words(t.params);
  if (t.type == "linear") {
    if (w.size() != 2 || number(w[1]) == ~0ULL)
      return Fail(Errc::invalid_argument, where + ": linear needs <dev> <offset>");
    return check_range(s, where, w[0], name, number(w[1]), t.length);
  }
  if (t.type == "striped") {
    std::uint64_t const n = w.size() >= 2 ? number(w[0]) : 0;
    std::uint64_t const chunk = w.size() >= 2 ? number(w[1]) : 0;
    if (n == 0 || n == ~0ULL || chunk == 0 || chunk == ~0ULL || w.size() != 2 + 2 * n) {
      return Fail(Errc::invalid_argument,
                  where + ": striped needs <n> <chunk> and n <dev> <offset> pairs");
    }
    if (t.length % n != 0)
      return Fail(Errc::invalid_argument,
                  where + ": target length not divisible by number of stripes");
    if ((t.length / n) % chunk != 0)
      return Fail(Errc::invalid_argument, where + ": target length not divisible by chunk size");
    for (std::size_t i = 0; i < n; ++i) {
      DAXD_TRY(check_range(s, where, w[2 + 2 * i], name, number(w[3 + 2 * i]), t.length / n));
    }
    return Ok();
  }
  if (t.type == "snapshot-origin" || t.type == "snapshot" || t.type == "snapshot-merge") {
    bool const snap = t.type != "snapshot-origin";
    if (w.empty() || (snap && w.size() < 4)) {
      return Fail(Errc::invalid_argument, where + ": " + t.type + " needs its devices");
    }
    DAXD_TRY(check_range(s, where, w[0], name, 0, t.length));
    if (snap) {
      DAXD_TRY(check_range(s, where, w[1], name, 0, 0));
      DAXD_TRY(check_snapshot_load(s, name, t));
    }
    return Ok();
  }
  for (auto const& ref : target_device_refs(t)) DAXD_TRY(check_range(s, where, ref, name, 0, 0));
  return Ok();
}

Result<void> check_table(SimState const& s, std::string_view name,
                         std::vector<DmTarget> const& table) {
  if (table.empty()) return Fail(Errc::invalid_argument, std::string(name) + ": empty table");
  std::uint64_t next = 0;
  for (std::size_t i = 0; i < table.size(); ++i) {
    auto const& t = table[i];
    std::string const where = std::string(name) + ": table line " + std::to_string(i + 1);
    if (std::find(std::begin(kKnownTargets), std::end(kKnownTargets), t.type) ==
        std::end(kKnownTargets)) {
      return Fail(Errc::invalid_argument, where + ": unknown target type '" + t.type + "'");
    }
    if (t.length == 0) return Fail(Errc::invalid_argument, where + ": zero-length target");
    if (t.start != next)
      return Fail(Errc::invalid_argument, where + ": gap in table (start " +
                                              std::to_string(t.start) + ", expected " +
                                              std::to_string(next) + ")");
    DAXD_TRY(check_target(s, name, t, i + 1));
    next = t.start + t.length;
  }
  return Ok();
}

DmType type_of(SimState const& s, std::vector<DmTarget> const& table) {
  return table_dax_capable(s, table) ? DmType::dax_bio_based : DmType::bio_based;
}

DeviceInfo info_of(SimState const& s, SimDmDevice const& d) {
  return find_device(s, "/dev/mapper/" + d.name).value_or(DeviceInfo{});
}

void note_hazard(SimState& s, std::string op, std::string device, std::vector<int> pids,
                 std::string note) {
  if (pids.empty()) return;
  s.hazards.push_back(
      SimHazard{std::move(op), std::move(device), std::move(pids), std::move(note)});
}

}  // namespace

std::vector<DmDevice> list_dm_devices(SimState const& s) {
  std::vector<DmDevice> out;
  for (auto const& d : s.dm_devices) {
    out.push_back(DmDevice{d.name, d.uuid, DevNumber{kDmMajor, d.minor}, d.suspended,
                           table_dax_capable(s, d.table), d.table});
  }
  std::sort(out.begin(), out.end(),
            [](DmDevice const& a, DmDevice const& b) { return a.name < b.name; });
  return out;
}

Result<DmDevice> dm_create(SimState& s, std::string_view name, std::string_view uuid,
                           std::vector<DmTarget> const& table) {
  if (name.empty()) return Fail(Errc::invalid_argument, "dm device needs a name");
  for (auto const& d : s.dm_devices) {
    if (d.name == name) return Fail(Errc::already_exists, std::string(name) + ": dm device exists");
    if (!uuid.empty() && d.uuid == uuid) {
      return Fail(Errc::already_exists,
                  std::string(name) + ": uuid " + std::string(uuid) + " is used by " + d.name);
    }
  }
  DAXD_TRY(check_table(s, name, table));
  std::vector<std::uint32_t> minors;
  for (auto const& d : s.dm_devices) minors.push_back(d.minor);
  SimDmDevice d;
  d.name = std::string(name);
  d.uuid = std::string(uuid);
  d.minor = lowest_free(minors);
  d.type = type_of(s, table);  // the md type is fixed by this first load
  d.table = table;
  s.dm_devices.push_back(d);
  snapshot_table_live(s, d);
  return DmDevice{d.name, d.uuid, DevNumber{kDmMajor, d.minor}, false, table_dax_capable(s, table),
                  table};
}

Result<void> dm_reload(SimState& s, std::string_view name, std::vector<DmTarget> const& table) {
  auto* d = find_dm(s, name);
  if (d == nullptr) return Fail(Errc::not_found, std::string(name) + ": no such dm device");
  DAXD_TRY(check_table(s, name, table));
  // is_valid_type(): only BIO_BASED -> DAX_BIO_BASED may change after the first load.
  DmType const next = type_of(s, table);
  if (d->type == DmType::dax_bio_based && next != DmType::dax_bio_based) {
    return Fail(Errc::invalid_argument,
                std::string(name) + ": device-mapper: ioctl: can't change device type (old=" +
                    std::to_string(static_cast<int>(d->type)) + " vs new=" +
                    std::to_string(static_cast<int>(next)) + ") after initial table load.");
  }
  d->inactive = table;
  note_hazard(s, "dm.reload", std::string(name), dax_mapping_pids(s, info_of(s, *d)),
              "table loaded while processes map the device through DAX");
  return Ok();
}

Result<void> dm_suspend(SimState& s, std::string_view name) {
  auto* d = find_dm(s, name);
  if (d == nullptr) return Fail(Errc::not_found, std::string(name) + ": no such dm device");
  if (d->suspended) return Ok();
  d->suspended = true;
  // Suspend queues bios; it does not stop stores through existing DAX mappings.
  d->dax_mappings_at_suspend = dax_mapping_pids(s, info_of(s, *d));
  note_hazard(s, "dm.suspend", std::string(name), d->dax_mappings_at_suspend,
              "suspended while DAX mappings exist: these processes can still write");
  return Ok();
}

Result<void> dm_resume(SimState& s, std::string_view name) {
  auto* d = find_dm(s, name);
  if (d == nullptr) return Fail(Errc::not_found, std::string(name) + ": no such dm device");
  if (d->inactive) DAXD_TRY(check_snapshot_resume(s, *d));
  if (d->inactive) {
    auto const pids = dax_mapping_pids(s, info_of(s, *d));
    note_hazard(s, "dm.resume", d->name, pids, "table swapped under live DAX mappings");
    bool const was_dax = table_dax_capable(s, d->table);
    d->table = std::move(*d->inactive);
    d->inactive.reset();
    // The md type stays what the first load made it (a BIO_BASED device may carry a DAX table).
    auto const* m = mount_of_device(s, info_of(s, *d).kname);
    if (was_dax && m != nullptr && m->dax_active && !table_dax_capable(s, d->table)) {
      s.hazards.push_back(
          SimHazard{"dm.resume", d->name, {}, "DAX lost under a dax mount at " + m->target});
    }
    snapshot_table_live(s, *d);
  }
  d->suspended = false;
  d->dax_mappings_at_suspend.clear();
  return Ok();
}

Result<void> dm_remove(SimState& s, std::string_view name) {
  auto* d = find_dm(s, name);
  if (d == nullptr) return Fail(Errc::not_found, std::string(name) + ": no such dm device");
  if (auto b = device_blockers(s, info_of(s, *d)); !b.empty()) {
    return busy_error(std::string(name), std::move(b));
  }
  std::erase_if(s.storage, [&](auto const& kv) {
    return kv.first.rfind("dm:" + std::string(name) + "@", 0) == 0;
  });
  std::erase_if(s.dm_devices, [&](SimDmDevice const& x) { return x.name == name; });
  return Ok();
}

}  // namespace daxd::host::sim
