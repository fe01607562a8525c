// SPDX-License-Identifier: Apache-2.0
// Namespace creation, destruction and reconfiguration the way ndctl/namespace.c does them.
#include <fcntl.h>
#include <linux/ndctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "daemon/host/linux/linux_nvdimm.h"
#include "daemon/host/linux/linux_processes.h"

namespace daxd::host::linux_impl {
namespace {

constexpr unsigned long kDefaultAlign = 2UL << 20;  // ndctl's default for fsdax/devdax
constexpr unsigned int kBttSectorSize = 4096;       // ndctl's default for sector mode
constexpr std::size_t kInfoBlockSize = 8192;        // pfn/dax/btt info block, as ndctl zeroes it

struct SetupParams {
  uuid_t uuid{};
  std::string name;
  std::uint64_t size = 0;
  NamespaceMode mode = NamespaceMode::fsdax;
  unsigned long align = kDefaultAlign;
};

ndctl_namespace_mode ndctl_mode(NamespaceMode m) {
  switch (m) {
    case NamespaceMode::fsdax:
      return NDCTL_NS_MODE_FSDAX;
    case NamespaceMode::devdax:
      return NDCTL_NS_MODE_DEVDAX;
    case NamespaceMode::sector:
      return NDCTL_NS_MODE_SECTOR;
    case NamespaceMode::raw:
      return NDCTL_NS_MODE_RAW;
  }
  return NDCTL_NS_MODE_RAW;
}

bool is_label_less(ndctl_region* region) {
  return ndctl_region_get_nstype(region) == ND_DEVICE_NAMESPACE_IO;
}

/// ndctl's choice: namespaceN.0 when idle, else the region's seed.
ndctl_namespace* idle_namespace(ndctl_region* region) {
  ndctl_namespace* ns = nullptr;
  ndctl_namespace_foreach(region, ns) {
    if (ndctl_namespace_get_id(ns) == 0 && ndctl_namespace_is_configuration_idle(ns) != 0)
      return ns;
  }
  ns = ndctl_region_get_namespace_seed(region);
  return ns != nullptr && ndctl_namespace_is_configuration_idle(ns) != 0 ? ns : nullptr;
}

#define DAXD_NDCTL_CALL(what, call)                                   \
  do {                                                                \
    int const daxd_rc_ = (call);                                      \
    if (daxd_rc_ < 0) return ndctl_error(daxd_rc_, ctx_msg + (what)); \
  } while (0)

Result<void> setup_pfn(ndctl_region* region, ndctl_namespace* ns, SetupParams const& p,
                       std::string const& ctx_msg) {
  ndctl_pfn* pfn = ndctl_region_get_pfn_seed(region);
  if (pfn == nullptr) return Fail(Errc::io_error, ctx_msg + "no pfn seed");
  uuid_t uu;
  uuid_generate(uu);
  DAXD_NDCTL_CALL("set pfn uuid", ndctl_pfn_set_uuid(pfn, uu));
  DAXD_NDCTL_CALL("set pfn location", ndctl_pfn_set_location(pfn, NDCTL_PFN_LOC_PMEM));
  if (ndctl_pfn_has_align(pfn) != 0)
    DAXD_NDCTL_CALL("set align", ndctl_pfn_set_align(pfn, p.align));
  DAXD_NDCTL_CALL("attach pfn", ndctl_pfn_set_namespace(pfn, ns));
  int const rc = ndctl_pfn_enable(pfn);
  if (rc < 0) {
    ndctl_pfn_set_namespace(pfn, nullptr);
    return ndctl_error(rc, ctx_msg + "enable fsdax");
  }
  return Ok();
}

Result<void> setup_dax(ndctl_region* region, ndctl_namespace* ns, SetupParams const& p,
                       std::string const& ctx_msg) {
  ndctl_dax* dax = ndctl_region_get_dax_seed(region);
  if (dax == nullptr) return Fail(Errc::io_error, ctx_msg + "no dax seed");
  uuid_t uu;
  uuid_generate(uu);
  DAXD_NDCTL_CALL("set dax uuid", ndctl_dax_set_uuid(dax, uu));
  DAXD_NDCTL_CALL("set dax location", ndctl_dax_set_location(dax, NDCTL_PFN_LOC_PMEM));
  DAXD_NDCTL_CALL("set align", ndctl_dax_set_align(dax, p.align));
  DAXD_NDCTL_CALL("attach dax", ndctl_dax_set_namespace(dax, ns));
  int const rc = ndctl_dax_enable(dax);
  if (rc < 0) {
    ndctl_dax_set_namespace(dax, nullptr);
    return ndctl_error(rc, ctx_msg + "enable devdax");
  }
  return Ok();
}

Result<void> setup_btt(ndctl_region* region, ndctl_namespace* ns, std::string const& ctx_msg) {
  ndctl_btt* btt = ndctl_region_get_btt_seed(region);
  if (btt == nullptr) return Fail(Errc::io_error, ctx_msg + "no btt seed");
  uuid_t uu;
  uuid_generate(uu);
  DAXD_NDCTL_CALL("set btt uuid", ndctl_btt_set_uuid(btt, uu));
  DAXD_NDCTL_CALL("set sector size", ndctl_btt_set_sector_size(btt, kBttSectorSize));
  DAXD_NDCTL_CALL("attach btt", ndctl_btt_set_namespace(btt, ns));
  DAXD_NDCTL_CALL("enable sector", ndctl_btt_enable(btt));
  return Ok();
}

/// setup_namespace() of ndctl: label fields, then the personality seed, then enable.
Result<void> setup_namespace(ndctl_region* region, ndctl_namespace* ns, SetupParams& p,
                             std::string const& ctx_msg) {
  if (ndctl_namespace_get_type(ns) != ND_DEVICE_NAMESPACE_IO) {
    DAXD_NDCTL_CALL("set uuid", ndctl_namespace_set_uuid(ns, p.uuid));
    DAXD_NDCTL_CALL("set name", ndctl_namespace_set_alt_name(ns, p.name.c_str()));
    DAXD_NDCTL_CALL("set size", ndctl_namespace_set_size(ns, p.size));
  }
  // Opportunistic, as in ndctl: older kernels lack the attribute.
  ndctl_namespace_set_enforce_mode(ns, ndctl_mode(p.mode));
  switch (p.mode) {
    case NamespaceMode::fsdax:
      return setup_pfn(region, ns, p, ctx_msg);
    case NamespaceMode::devdax:
      return setup_dax(region, ns, p, ctx_msg);
    case NamespaceMode::sector:
      return setup_btt(region, ns, ctx_msg);
    case NamespaceMode::raw:
      break;
  }
  DAXD_NDCTL_CALL("enable", ndctl_namespace_enable(ns));
  return Ok();
}

#undef DAXD_NDCTL_CALL

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

/// Zeroes the first 8 KiB (the pfn/dax/btt info block) through the raw namespace, as ndctl
/// does, so that the old personality is not found again. Best effort, like ndctl.
void zero_info_block(ndctl_namespace* ns) {
  ndctl_namespace_set_raw_mode(ns, 1);
  if (ndctl_namespace_enable(ns) >= 0) {
    void* raw = nullptr;
    std::string const path = std::string("/dev/") + ndctl_namespace_get_block_device(ns);
    int const fd = ::open(path.c_str(), O_RDWR | O_DIRECT | O_EXCL | O_CLOEXEC);
    if (fd >= 0 && ::posix_memalign(&raw, 4096, 2 * kInfoBlockSize) == 0) {
      std::unique_ptr<void, FreeDeleter> buf(raw);
      auto* zero = static_cast<unsigned char*>(raw);
      unsigned char* current = zero + kInfoBlockSize;
      std::memset(zero, 0, kInfoBlockSize);
      ssize_t const n = ::pread(fd, current, kInfoBlockSize, 0);
      bool const already_zero = n == static_cast<ssize_t>(kInfoBlockSize) &&
                                std::memcmp(zero, current, kInfoBlockSize) == 0;
      if (!already_zero) static_cast<void>(::pwrite(fd, zero, kInfoBlockSize, 0));
    }
    if (fd >= 0) ::close(fd);
  }
  ndctl_namespace_set_raw_mode(ns, 0);
  ndctl_namespace_disable_invalidate(ns);
}

/// The kernel lets a devdax (and a non-exclusively opened fsdax) device go away under live
/// fds and mappings, so scan /proc for users of the device node before touching it.
Result<void> refuse_if_used(ndctl_namespace* ns, std::string const& ctx_msg) {
  Namespace const n = namespace_from(ns);
  std::string const node = !n.chardev.empty() ? n.chardev : n.blockdev;
  if (node.empty()) return Ok();  // disabled: no device node to hold
  struct stat st {};
  if (::stat(("/dev/" + node).c_str(), &st) != 0) return Ok();
  LinuxProcesses procs;
  DAXD_ASSIGN_OR_RETURN(
      std::vector<Consumer> users,
      procs.find_consumers(ConsumerQuery{{}, {DevNumber{major(st.st_rdev), minor(st.st_rdev)}}}));
  if (users.empty()) return Ok();
  std::string msg = ctx_msg + "/dev/" + node + " is in use by pid " +
                    std::to_string(users.front().pid) + " (" + users.front().command + ")";
  if (users.size() > 1) msg += " and " + std::to_string(users.size() - 1) + " more";
  return Error{Errc::busy, msg, std::move(users)};
}

/// namespace_prep_reconfig() of ndctl: refuse when in use, then disable and wipe.
Result<void> prepare_reconfig(ndctl_namespace* ns, std::string const& ctx_msg) {
  if (ndctl_region_get_ro(ndctl_namespace_get_region(ns)) != 0) {
    return Fail(Errc::unsupported, ctx_msg + "the region is read-only");
  }
  DAXD_TRY(refuse_if_used(ns, ctx_msg));
  int const rc = ndctl_namespace_disable_safe(ns);
  if (rc < 0) {
    Error e = ndctl_error(rc, ctx_msg + "disable");
    if (e.code == Errc::busy) e.message += "; the device is mounted or open";
    return e;
  }
  ndctl_namespace_set_enforce_mode(ns, NDCTL_NS_MODE_RAW);
  zero_info_block(ns);
  return Ok();
}

Result<Namespace> reread(std::string const& dev) {
  DAXD_ASSIGN_OR_RETURN(NdctlCtx ctx, open_ndctl());
  ndctl_namespace* ns = find_namespace(ctx.get(), dev);
  if (ns == nullptr) return Fail(Errc::io_error, dev + ": vanished after configuration");
  return namespace_from(ns);
}

Result<ndctl_namespace*> lookup_namespace(ndctl_ctx* ctx, std::string const& dev) {
  ndctl_namespace* ns = find_namespace(ctx, dev);
  if (ns == nullptr) return Fail(Errc::not_found, dev + ": no such namespace");
  return ns;
}

}  // namespace

Result<Namespace> LinuxNvdimm::create_namespace(NamespaceSpec const& spec) {
  std::string const ctx_msg = spec.region + ": cannot create namespace: ";
  clear_ndctl_error();
  DAXD_ASSIGN_OR_RETURN(NdctlCtx ctx, open_ndctl());
  ndctl_region* region = find_region(ctx.get(), spec.region);
  if (region == nullptr) return Fail(Errc::not_found, spec.region + ": no such region");
  if (is_label_less(region)) {
    return Fail(Errc::unsupported, ctx_msg +
                                       "the region is label-less (legacy); label-less "
                                       "regions cannot be sub-divided, initialise labels first");
  }
  if (ndctl_region_get_ro(region) != 0)
    return Fail(Errc::unsupported, ctx_msg + "the region is read-only");
  if (spec.size == 0) return Fail(Errc::invalid_argument, ctx_msg + "size must be given");
  if (spec.size > ndctl_region_get_max_available_extent(region)) {
    return Fail(Errc::no_space, ctx_msg + "only " +
                                    std::to_string(ndctl_region_get_max_available_extent(region)) +
                                    " bytes available in one extent");
  }
  ndctl_namespace* ns = idle_namespace(region);
  if (ns == nullptr) return Fail(Errc::io_error, ctx_msg + "no idle namespace seed");
  SetupParams p;
  uuid_generate(p.uuid);
  p.name = spec.name;
  p.size = spec.size;
  p.mode = spec.mode;
  if (spec.align) p.align = static_cast<unsigned long>(*spec.align);
  std::string const dev = ndctl_namespace_get_devname(ns);
  auto setup = setup_namespace(region, ns, p, ctx_msg);
  if (!setup) {
    // Give the capacity back, as ndctl's autorecover does.
    ndctl_namespace_set_enforce_mode(ns, NDCTL_NS_MODE_RAW);
    ndctl_namespace_delete(ns);
    return std::move(setup).error();
  }
  return reread(dev);
}

Result<void> LinuxNvdimm::destroy_namespace(std::string_view dev_view) {
  std::string const dev(dev_view);
  std::string const ctx_msg = dev + ": cannot destroy namespace: ";
  clear_ndctl_error();
  DAXD_ASSIGN_OR_RETURN(NdctlCtx ctx, open_ndctl());
  DAXD_ASSIGN_OR_RETURN(ndctl_namespace * ns, lookup_namespace(ctx.get(), dev));
  if (ndctl_namespace_get_type(ns) == ND_DEVICE_NAMESPACE_IO) {
    return Fail(Errc::unsupported, ctx_msg + "label-less namespaces cannot be destroyed");
  }
  DAXD_TRY(prepare_reconfig(ns, ctx_msg));
  int const rc = ndctl_namespace_delete(ns);
  if (rc < 0) return ndctl_error(rc, ctx_msg + "delete");
  return Ok();
}

Result<Namespace> LinuxNvdimm::reconfigure_namespace(std::string_view dev_view,
                                                     NamespaceMode mode) {
  std::string const dev(dev_view);
  std::string const ctx_msg = dev + ": cannot reconfigure namespace: ";
  clear_ndctl_error();
  DAXD_ASSIGN_OR_RETURN(NdctlCtx ctx, open_ndctl());
  DAXD_ASSIGN_OR_RETURN(ndctl_namespace * ns, lookup_namespace(ctx.get(), dev));
  ndctl_region* region = ndctl_namespace_get_region(ns);
  // As `ndctl create-namespace -e DEV -m MODE -f`: name and raw size are kept, the label
  // gets a new uuid (the kernel refuses to set a namespace's own uuid again).
  SetupParams p;
  uuid_generate(p.uuid);
  char const* name = ndctl_namespace_get_alt_name(ns);
  p.name = name != nullptr ? name : "";
  p.size = ndctl_namespace_get_size(ns);
  p.mode = mode;
  DAXD_TRY(prepare_reconfig(ns, ctx_msg));
  DAXD_TRY(setup_namespace(region, ns, p, ctx_msg));
  return reread(dev);
}

}  // namespace daxd::host::linux_impl
