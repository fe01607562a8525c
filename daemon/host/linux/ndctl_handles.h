// SPDX-License-Identifier: Apache-2.0
// RAII owners for the C handles of libndctl, libdaxctl, libdevmapper, libmount and libblkid.
#pragma once

#include <memory>

#include <unistd.h>

#include <blkid/blkid.h>
#include <libdevmapper.h>
#include <libmount/libmount.h>
#define HAVE_UUID 1
#include <daxctl/libdaxctl.h>
#include <ndctl/libndctl.h>

namespace daxd::host::linux_impl {

struct NdctlCtxUnref {
  void operator()(ndctl_ctx* c) const { ndctl_unref(c); }
};
struct DaxctlCtxUnref {
  void operator()(daxctl_ctx* c) const { daxctl_unref(c); }
};
struct DmTaskDestroy {
  void operator()(dm_task* t) const { dm_task_destroy(t); }
};
struct MntTableUnref {
  void operator()(libmnt_table* t) const { mnt_unref_table(t); }
};
struct MntIterFree {
  void operator()(libmnt_iter* i) const { mnt_free_iter(i); }
};
struct BlkidProbeFree {
  void operator()(blkid_struct_probe* p) const { blkid_free_probe(p); }
};

using NdctlCtx = std::unique_ptr<ndctl_ctx, NdctlCtxUnref>;
using DaxctlCtx = std::unique_ptr<daxctl_ctx, DaxctlCtxUnref>;
using DmTask = std::unique_ptr<dm_task, DmTaskDestroy>;
using MntTable = std::unique_ptr<libmnt_table, MntTableUnref>;
using MntIter = std::unique_ptr<libmnt_iter, MntIterFree>;
using BlkidProbe = std::unique_ptr<blkid_struct_probe, BlkidProbeFree>;

/// A file descriptor closed on scope exit.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    reset(o.release());
    return *this;
  }
  UniqueFd(UniqueFd const&) = delete;
  UniqueFd& operator=(UniqueFd const&) = delete;
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int const fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace daxd::host::linux_impl
