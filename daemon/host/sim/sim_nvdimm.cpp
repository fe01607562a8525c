// SPDX-License-Identifier: Apache-2.0
// Simulated libnvdimm: regions, label allocation, namespace modes, and EBUSY while in use.
#include <algorithm>
#include <cstdio>
#include <random>

#include "daemon/host/sim/sim_ops.h"
#include "daemon/host/sim/sim_rules.h"

namespace daxd::host::sim {
namespace {

constexpr std::uint64_t kDefaultPfnAlign = 2 * kMiB;

std::string hex(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string random_uuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t hi = rng();
  std::uint64_t lo = rng();
  hi = (hi & ~0xf000ULL) | 0x4000ULL;                  // version 4
  lo = (lo & ~(0xc000ULL << 48)) | (0x8000ULL << 48);  // variant 10
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xffff),
                static_cast<unsigned long long>(hi & 0xffff),
                static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

bool is_pfn(NamespaceMode m) { return m == NamespaceMode::fsdax || m == NamespaceMode::devdax; }

SimRegion const* find_region(SimState const& s, std::string_view dev) {
  auto const it = std::find_if(s.regions.begin(), s.regions.end(),
                               [&](SimRegion const& r) { return r.dev == dev; });
  return it == s.regions.end() ? nullptr : &*it;
}

SimNamespace* find_ns(SimState& s, std::string_view dev) {
  auto const it = std::find_if(s.namespaces.begin(), s.namespaces.end(),
                               [&](SimNamespace const& n) { return n.dev == dev; });
  return it == s.namespaces.end() ? nullptr : &*it;
}

struct Gap {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

std::vector<Gap> free_gaps(SimState const& s, SimRegion const& r) {
  std::vector<SimNamespace const*> used;
  for (auto const& n : s.namespaces) {
    if (n.region == r.dev) used.push_back(&n);
  }
  std::sort(used.begin(), used.end(), [](auto* a, auto* b) { return a->offset < b->offset; });
  std::vector<Gap> gaps;
  std::uint64_t cursor = 0;
  for (auto const* n : used) {
    if (n->offset > cursor) gaps.push_back(Gap{cursor, n->offset - cursor});
    cursor = std::max(cursor, n->offset + n->raw_size);
  }
  if (r.size > cursor) gaps.push_back(Gap{cursor, r.size - cursor});
  return gaps;
}

std::uint32_t free_minor(SimState const& s, NamespaceMode mode, SimNamespace const* except) {
  std::vector<std::uint32_t> used;
  for (auto const& n : s.namespaces) {
    if (&n != except && (n.mode == NamespaceMode::devdax) == (mode == NamespaceMode::devdax)) {
      used.push_back(n.minor);
    }
  }
  return lowest_free(used);
}

// Data are not kept across destroy or reconfigure: forget what the namespace's media held.
void drop_storage(SimState& s, std::string const& ns_dev) {
  std::erase_if(s.storage, [&](auto const& kv) {
    return kv.first.rfind(ns_dev + "@", 0) == 0 || kv.first.rfind("snap:" + ns_dev + "@", 0) == 0;
  });
}

std::vector<Consumer> blockers_of(SimState const& s, SimNamespace const& ns) {
  auto const name = ns.mode == NamespaceMode::devdax ? chardev_name(ns) : blockdev_name(ns);
  auto const d = find_device(s, name);
  return d ? device_blockers(s, *d) : std::vector<Consumer>{};
}

Result<std::uint64_t> pfn_align(NamespaceSpec const& spec) {
  if (!is_pfn(spec.mode)) {
    if (spec.align) {
      return Fail(Errc::invalid_argument, std::string(to_string(spec.mode)) +
                                              " mode does not support setting an alignment");
    }
    return std::uint64_t{0};
  }
  std::uint64_t const a = spec.align.value_or(kDefaultPfnAlign);
  if (a != 4096 && a != kDefaultPfnAlign && a != 1024 * kMiB) {
    return Fail(Errc::invalid_argument, "unsupported align: " + std::to_string(a));
  }
  return a;
}

// ndctl's validate_namespace_options(): region align, pfn align, 16 MiB minimum.
Result<std::uint64_t> checked_size(SimState const& s, SimRegion const& r, NamespaceSpec const& spec,
                                   std::uint64_t align) {
  std::uint64_t size = spec.size;
  if (size == 0) {
    for (auto const& g : free_gaps(s, r)) size = std::max(size, g.size / r.align * r.align);
    if (size == 0) return Fail(Errc::no_space, r.dev + ": no available capacity");
  }
  if (r.align != 0 && size % r.align != 0) {
    return Fail(Errc::invalid_argument, r.dev + ": align setting is " + hex(r.align) + " size " +
                                            hex(size) + " is misaligned");
  }
  if (align != 0 && size % align != 0) {
    return Fail(
        Errc::invalid_argument,
        "'--size=' must align to interleave-width: 1 and alignment: " + std::to_string(align));
  }
  if (size < 16 * kMiB && spec.mode != NamespaceMode::raw) {
    return Fail(Errc::invalid_argument,
                "'--size=' must be >= 16MiB for '" + std::string(to_string(spec.mode)) + "' mode");
  }
  return size;
}

Result<Namespace> create_legacy(SimState& s, SimRegion const& r, NamespaceSpec const& spec,
                                std::uint64_t align) {
  if (spec.size != 0 && spec.size != r.size) {
    return Fail(Errc::unsupported,
                r.dev + ": label-less namespaces do not support sub-dividing a region");
  }
  auto* ns = find_ns(s, "namespace" + r.dev.substr(6) + ".0");
  if (ns == nullptr || ns->mode != NamespaceMode::raw) {
    return Fail(Errc::no_space, r.dev + ": no idle namespace to configure");
  }
  if (auto b = blockers_of(s, *ns); !b.empty()) return busy_error(ns->dev, std::move(b));
  drop_storage(s, ns->dev);
  ns->mode = spec.mode;
  ns->align = align;
  ns->minor = free_minor(s, spec.mode, ns);
  return to_namespace(*ns);
}

}  // namespace

Namespace to_namespace(SimNamespace const& n) {
  Namespace out;
  out.dev = n.dev;
  out.region = n.region;
  out.mode = n.mode;
  out.map = is_pfn(n.mode) ? "dev" : "";
  out.size = usable_size(n);
  out.uuid = n.uuid;
  out.name = n.name;
  switch (n.mode) {
    case NamespaceMode::fsdax:
    case NamespaceMode::raw:
      out.sector_size = 512;
      break;
    case NamespaceMode::sector:
      out.sector_size = 4096;
      break;
    case NamespaceMode::devdax:
      break;
  }
  if (is_pfn(n.mode)) out.align = n.align;
  out.blockdev = blockdev_name(n);
  out.chardev = chardev_name(n);
  out.devno = DevNumber{n.mode == NamespaceMode::devdax ? kDaxMajor : kPmemMajor, n.minor};
  out.raw_size = n.raw_size;
  return out;
}

std::vector<Region> list_regions(SimState const& s) {
  std::vector<Region> out;
  for (auto const& r : s.regions) {
    Region x;
    x.dev = r.dev;
    x.size = r.size;
    x.align = r.align;
    x.numa_node = r.numa_node;
    x.persistence_domain = r.persistence_domain;
    if (r.labels) {
      x.iset_id = r.iset_id;
      for (auto const& g : free_gaps(s, r)) {
        x.available_size += g.size;
        x.max_available_extent = std::max(x.max_available_extent, g.size);
      }
    }
    out.push_back(std::move(x));
  }
  std::sort(out.begin(), out.end(), [](Region const& a, Region const& b) { return a.dev < b.dev; });
  return out;
}

std::vector<Namespace> list_namespaces(SimState const& s) {
  std::vector<Namespace> out;
  for (auto const& n : s.namespaces) out.push_back(to_namespace(n));
  std::sort(out.begin(), out.end(), [](Namespace const& a, Namespace const& b) {
    if (a.region != b.region) return a.region < b.region;
    return namespace_id(a.dev) < namespace_id(b.dev);
  });
  return out;
}

Result<Namespace> create_namespace(SimState& s, NamespaceSpec const& spec) {
  auto const* region = find_region(s, spec.region);
  if (region == nullptr) return Fail(Errc::not_found, spec.region + ": no such region");
  SimRegion const r = *region;
  DAXD_ASSIGN_OR_RETURN(std::uint64_t const align, pfn_align(spec));
  if (!r.labels) return create_legacy(s, r, spec, align);
  DAXD_ASSIGN_OR_RETURN(std::uint64_t const size, checked_size(s, r, spec, align));
  auto const gaps = free_gaps(s, r);
  auto const gap =
      std::find_if(gaps.begin(), gaps.end(), [&](Gap const& g) { return g.size >= size; });
  if (gap == gaps.end()) {
    std::uint64_t largest = 0;
    for (auto const& g : gaps) largest = std::max(largest, g.size);
    return Fail(Errc::no_space,
                r.dev + ": insufficient capacity: size " + hex(size) + " avail: " + hex(largest));
  }
  std::vector<std::uint32_t> ids;
  for (auto const& n : s.namespaces) {
    if (n.region == r.dev)
      ids.push_back(static_cast<std::uint32_t>(std::max(0, namespace_id(n.dev))));
  }
  SimNamespace ns;
  ns.dev = "namespace" + r.dev.substr(6) + "." + std::to_string(lowest_free(ids));
  ns.region = r.dev;
  ns.mode = spec.mode;
  ns.offset = gap->offset;
  ns.raw_size = size;
  ns.align = align;
  ns.uuid = random_uuid();
  ns.name = spec.name;
  ns.minor = free_minor(s, spec.mode, nullptr);
  drop_storage(s, ns.dev);
  s.namespaces.push_back(ns);
  return to_namespace(ns);
}

Result<void> destroy_namespace(SimState& s, std::string_view dev) {
  auto* ns = find_ns(s, dev);
  if (ns == nullptr) return Fail(Errc::not_found, std::string(dev) + ": no such namespace");
  if (auto b = blockers_of(s, *ns); !b.empty()) return busy_error(ns->dev, std::move(b));
  drop_storage(s, ns->dev);
  auto const* region = find_region(s, ns->region);
  if (region != nullptr && !region->labels) {
    // A label-less namespace cannot be deleted: ndctl only zeroes its info block.
    ns->mode = NamespaceMode::raw;
    ns->align = 0;
    ns->minor = free_minor(s, NamespaceMode::raw, ns);
    return Ok();
  }
  std::erase_if(s.namespaces, [&](SimNamespace const& n) { return n.dev == dev; });
  return Ok();
}

Result<Namespace> reconfigure_namespace(SimState& s, std::string_view dev, NamespaceMode mode) {
  auto* ns = find_ns(s, dev);
  if (ns == nullptr) return Fail(Errc::not_found, std::string(dev) + ": no such namespace");
  if (auto b = blockers_of(s, *ns); !b.empty()) return busy_error(ns->dev, std::move(b));
  if (ns->raw_size < 16 * kMiB && mode != NamespaceMode::raw) {
    return Fail(Errc::invalid_argument,
                ns->dev + ": too small for " + std::string(to_string(mode)) + " mode");
  }
  drop_storage(s, ns->dev);
  auto const* region = find_region(s, ns->region);
  bool const labelled = region == nullptr || region->labels;
  if (!is_pfn(mode)) {
    ns->align = 0;
  } else if (!is_pfn(ns->mode)) {
    ns->align = kDefaultPfnAlign;
  }
  ns->mode = mode;
  ns->minor = free_minor(s, mode, ns);
  if (labelled) ns->uuid = random_uuid();
  return to_namespace(*ns);
}

}  // namespace daxd::host::sim
