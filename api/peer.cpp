// SPDX-License-Identifier: Apache-2.0
// Peer credentials and group membership through the reentrant NSS calls.
#include "api/peer.h"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace daxd::api {

namespace {

// NSS buffers: start at sysconf's hint and grow on ERANGE.
std::size_t initial_buffer_size(int name) {
  long const hint = ::sysconf(name);
  return hint > 0 ? static_cast<std::size_t>(hint) : 4096;
}

// The user's supplementary groups; empty when the uid has no passwd entry.
std::vector<gid_t> groups_of(std::uint32_t uid, std::uint32_t gid) {
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(initial_buffer_size(_SC_GETPW_R_SIZE_MAX));
  int rc = 0;
  while ((rc = ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found)) == ERANGE) {
    buf.resize(buf.size() * 2);
  }
  if (rc != 0 || found == nullptr) return {};
  std::vector<gid_t> groups(32);
  int count = static_cast<int>(groups.size());
  while (::getgrouplist(pw.pw_name, gid, groups.data(), &count) < 0) {
    groups.resize(static_cast<std::size_t>(count) + 32);
    count = static_cast<int>(groups.size());
  }
  groups.resize(static_cast<std::size_t>(count));
  return groups;
}

}  // namespace

Result<std::uint32_t> lookup_group(std::string const& name) {
  group gr{};
  group* found = nullptr;
  std::vector<char> buf(initial_buffer_size(_SC_GETGR_R_SIZE_MAX));
  int rc = 0;
  while ((rc = ::getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found)) == ERANGE) {
    buf.resize(buf.size() * 2);
  }
  // getgrnam_r reports "no such group" as 0 with no result, or as one of these errors.
  bool const absent = rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM;
  if (rc != 0 && !absent) return error_from_errno(rc, "group " + name);
  if (found == nullptr) return Fail(Errc::invalid_argument, "group " + name + ": no such group");
  return static_cast<std::uint32_t>(gr.gr_gid);
}

bool is_admin(std::uint32_t uid, std::uint32_t gid, std::optional<std::uint32_t> admin_gid) {
  if (uid == 0) return true;
  if (!admin_gid) return false;
  if (gid == *admin_gid) return true;
  for (auto const g : groups_of(uid, gid)) {
    if (g == *admin_gid) return true;
  }
  return false;
}

Result<Peer> unix_peer(int fd, std::optional<std::uint32_t> admin_gid) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    return error_from_errno(errno, "unix socket: cannot read peer credentials");
  }
  Peer peer;
  peer.uid = cred.uid;
  peer.gid = cred.gid;
  peer.pid = cred.pid;
  peer.is_unix = true;
  peer.local_admin = is_admin(cred.uid, cred.gid, admin_gid);
  return peer;
}

}  // namespace daxd::api
