// SPDX-License-Identifier: Apache-2.0
// Regions and namespaces read through libndctl, field for field as ndctl's util/json.c prints them.
#include "daemon/host/linux/linux_nvdimm.h"

#include <linux/ndctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <tuple>

namespace daxd::host::linux_impl {
namespace {

thread_local std::string g_last_ndctl_error;

void capture_ndctl_log(ndctl_ctx* /*ctx*/, int priority, char const* /*file*/, int /*line*/,
                       char const* /*fn*/, char const* format, va_list args) {
  if (priority > 3) return;  // LOG_ERR and worse only
  char buf[512];
  std::vsnprintf(buf, sizeof buf, format, args);
  std::string msg(buf);
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  g_last_ndctl_error = msg;
}

std::string uuid_text(uuid_t const uu) {
  char buf[37] = {};
  uuid_unparse(uu, buf);
  return buf;
}

char const* location_name(ndctl_pfn_loc loc) {
  switch (loc) {
    case NDCTL_PFN_LOC_NONE:
      return "none";
    case NDCTL_PFN_LOC_RAM:
      return "mem";
    case NDCTL_PFN_LOC_PMEM:
      return "dev";
  }
  return "none";
}

std::string persistence_domain(ndctl_region* r) {
  switch (ndctl_region_get_persistence_domain(r)) {
    case PERSISTENCE_CPU_CACHE:
      return "cpu_cache";
    case PERSISTENCE_MEM_CTRL:
      return "memory_controller";
    case PERSISTENCE_NONE:
      return "none";
    case PERSISTENCE_UNKNOWN:
      return "unknown";
  }
  return "unknown";
}

Region region_from(ndctl_region* r) {
  Region out;
  out.dev = ndctl_region_get_devname(r);
  out.size = ndctl_region_get_size(r);
  unsigned long const align = ndctl_region_get_align(r);
  if (align < ULONG_MAX) out.align = align;
  out.available_size = ndctl_region_get_available_size(r);
  unsigned long long const extent = ndctl_region_get_max_available_extent(r);
  out.max_available_extent = extent != ULLONG_MAX ? extent : out.available_size;
  out.type = ndctl_region_get_type(r) == ND_DEVICE_REGION_BLK ? "blk" : "pmem";
  if (int const numa = ndctl_region_get_numa_node(r); numa >= 0) out.numa_node = numa;
  if (int const target = ndctl_region_get_target_node(r); target >= 0) out.target_node = target;
  if (ndctl_interleave_set* iset = ndctl_region_get_interleave_set(r)) {
    out.iset_id = ndctl_interleave_set_get_cookie(iset);
  }
  out.persistence_domain = persistence_domain(r);
  out.enabled = ndctl_region_is_enabled(r) != 0;
  return out;
}

// The device number consumers are matched against; {0,0} when there is no node.
DevNumber node_number(std::string const& node) {
  struct stat st {};
  if (node.empty() || ::stat(("/dev/" + node).c_str(), &st) != 0) return {};
  return DevNumber{major(st.st_rdev), minor(st.st_rdev)};
}

void fill_dax(Namespace& n, ndctl_dax* dax) {
  uuid_t uu;
  n.mode = NamespaceMode::devdax;
  n.size = ndctl_dax_get_size(dax);
  n.map = location_name(ndctl_dax_get_location(dax));
  ndctl_dax_get_uuid(dax, uu);
  n.uuid = uuid_text(uu);
  if (unsigned long const a = ndctl_dax_get_align(dax); a != 0) n.align = a;
  if (daxctl_region* region = ndctl_dax_get_daxctl_region(dax)) {
    if (daxctl_dev* dev = daxctl_dev_get_first(region)) n.chardev = daxctl_dev_get_devname(dev);
  }
}

void fill_pfn(Namespace& n, ndctl_pfn* pfn) {
  uuid_t uu;
  n.size = ndctl_pfn_get_size(pfn);
  n.map = location_name(ndctl_pfn_get_location(pfn));
  ndctl_pfn_get_uuid(pfn, uu);
  n.uuid = uuid_text(uu);
  if (unsigned long const a = ndctl_pfn_get_align(pfn); a != 0) n.align = a;
  n.blockdev = ndctl_pfn_get_block_device(pfn);
}

void fill_btt(Namespace& n, ndctl_btt* btt) {
  uuid_t uu;
  n.size = ndctl_btt_get_size(btt);
  ndctl_btt_get_uuid(btt, uu);
  n.uuid = uuid_text(uu);
  n.blockdev = ndctl_btt_get_block_device(btt);
}

NamespaceMode mode_of(ndctl_namespace* ns) {
  switch (ndctl_namespace_get_mode(ns)) {
    case NDCTL_NS_MODE_FSDAX:
      return NamespaceMode::fsdax;
    case NDCTL_NS_MODE_DEVDAX:
      return NamespaceMode::devdax;
    case NDCTL_NS_MODE_SECTOR:
      return NamespaceMode::sector;
    case NDCTL_NS_MODE_RAW:
    case NDCTL_NS_MODE_UNKNOWN:
      return NamespaceMode::raw;
  }
  return NamespaceMode::raw;
}

}  // namespace

std::string const& last_ndctl_error() { return g_last_ndctl_error; }
void clear_ndctl_error() { g_last_ndctl_error.clear(); }

Error ndctl_error(int rc, std::string context) {
  Error e = error_from_errno(rc != 0 ? rc : EIO, std::move(context));
  if (!g_last_ndctl_error.empty()) e.message += " (libndctl: " + g_last_ndctl_error + ")";
  return e;
}

Result<NdctlCtx> open_ndctl() {
  ndctl_ctx* raw = nullptr;
  int const rc = ndctl_new(&raw);
  if (rc != 0 || raw == nullptr) return error_from_errno(rc, "libndctl: cannot create a context");
  NdctlCtx ctx(raw);
  ndctl_set_log_fn(ctx.get(), capture_ndctl_log);
  return ctx;
}

ndctl_region* find_region(ndctl_ctx* ctx, std::string_view dev) {
  ndctl_bus* bus = nullptr;
  ndctl_region* region = nullptr;
  ndctl_bus_foreach(ctx, bus) {
    ndctl_region_foreach(bus, region) {
      if (dev == ndctl_region_get_devname(region)) return region;
    }
  }
  return nullptr;
}

ndctl_namespace* find_namespace(ndctl_ctx* ctx, std::string_view dev) {
  ndctl_bus* bus = nullptr;
  ndctl_region* region = nullptr;
  ndctl_namespace* ns = nullptr;
  ndctl_bus_foreach(ctx, bus) {
    ndctl_region_foreach(bus, region) {
      ndctl_namespace_foreach(region, ns) {
        if (dev == ndctl_namespace_get_devname(ns)) return ns;
      }
    }
  }
  return nullptr;
}

Namespace namespace_from(ndctl_namespace* ns) {
  Namespace n;
  n.dev = ndctl_namespace_get_devname(ns);
  n.region = ndctl_region_get_devname(ndctl_namespace_get_region(ns));
  n.mode = mode_of(ns);
  n.size = ndctl_namespace_get_size(ns);
  ndctl_btt* btt = ndctl_namespace_get_btt(ns);
  ndctl_pfn* pfn = ndctl_namespace_get_pfn(ns);
  ndctl_dax* dax = ndctl_namespace_get_dax(ns);
  if (btt != nullptr) {
    fill_btt(n, btt);
  } else if (pfn != nullptr) {
    fill_pfn(n, pfn);
  } else if (dax != nullptr) {
    fill_dax(n, dax);
  } else {
    if (n.mode == NamespaceMode::fsdax) n.map = "mem";  // static (legacy) memory mode
    if (ndctl_namespace_get_type(ns) != ND_DEVICE_NAMESPACE_IO) {
      uuid_t uu;
      ndctl_namespace_get_uuid(ns, uu);
      n.uuid = uuid_text(uu);
    }
    n.blockdev = ndctl_namespace_get_block_device(ns);
  }
  if (btt != nullptr) {
    n.sector_size = ndctl_btt_get_sector_size(btt);
  } else if (dax == nullptr) {
    unsigned int const s = ndctl_namespace_get_sector_size(ns);
    n.sector_size = (s == 0 || s == UINT_MAX) ? 512U : s;
  }
  char const* name = ndctl_namespace_get_alt_name(ns);
  n.name = name != nullptr ? name : "";
  n.enabled = ndctl_namespace_is_active(ns);
  n.raw_size = ndctl_namespace_get_size(ns);
  n.devno = node_number(n.blockdev.empty() ? n.chardev : n.blockdev);
  return n;
}

Result<std::vector<Region>> LinuxNvdimm::list_regions() {
  auto ctx = open_ndctl();
  if (!ctx) {
    note_ = ctx.error().message;  // no libnvdimm at all: nothing to list
    return std::vector<Region>{};
  }
  std::vector<Region> out;
  ndctl_bus* bus = nullptr;
  ndctl_region* region = nullptr;
  ndctl_bus_foreach(ctx->get(), bus) {
    ndctl_region_foreach(bus, region) out.push_back(region_from(region));
  }
  std::sort(out.begin(), out.end(), [](Region const& a, Region const& b) {
    return std::make_tuple(a.dev.size(), a.dev) < std::make_tuple(b.dev.size(), b.dev);
  });
  return out;
}

Result<std::vector<Namespace>> LinuxNvdimm::list_namespaces() {
  auto ctx = open_ndctl();
  if (!ctx) {
    note_ = ctx.error().message;
    return std::vector<Namespace>{};
  }
  std::vector<Namespace> out;
  ndctl_bus* bus = nullptr;
  ndctl_region* region = nullptr;
  ndctl_namespace* ns = nullptr;
  ndctl_bus_foreach(ctx->get(), bus) {
    ndctl_region_foreach(bus, region) {
      ndctl_namespace_foreach(region, ns) {
        unsigned long long const size = ndctl_namespace_get_size(ns);
        bool const configured = size > 0 && size < ULLONG_MAX;
        if (!configured && !ndctl_namespace_is_active(ns)) continue;  // an idle seed
        out.push_back(namespace_from(ns));
      }
    }
  }
  // Natural order: region2 before region10, namespace0.2 before namespace0.10.
  auto key = [](Namespace const& n) {
    return std::make_tuple(n.region.size(), n.region, n.dev.size(), n.dev);
  };
  std::sort(out.begin(), out.end(),
            [&](Namespace const& a, Namespace const& b) { return key(a) < key(b); });
  return out;
}

}  // namespace daxd::host::linux_impl
