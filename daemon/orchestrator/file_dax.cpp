// SPDX-License-Identifier: Apache-2.0
// set-file-dax: quiesce the file's users (policy), set the flag (undo restores it), evict the
// inode so the new S_DAX is loaded (commit point), checked by statx. The kernel marks a changed
// inode "don't cache", so it usually goes with its last user; drop_caches is the fallback.
#include "daemon/orchestrator/file_dax.h"

#include "daemon/model/json.h"
#include "daemon/orchestrator/quiesce.h"
#include "daemon/orchestrator/volume_consumers.h"
#include "daemon/orchestrator/volume_ops.h"
#include "daemon/orchestrator/volume_spec.h"
#include "daemon/orchestrator/volume_steps.h"

namespace daxd::orchestrator {
namespace {

using nlohmann::json;

/// What a normalised request says, read back (the plan is a pure function of it).
struct FileRequest {
  Volume volume;
  std::string path;  // relative to the mountpoint
  bool dax = false;
  bool directory = false;
  bool was = false;           // the flag when the request was made
  bool takes_effect = false;  // a regular file under dax=inode: the mode must follow the flag
  QuiesceRequest quiesce;
};

std::string shown(Volume const& v, std::string const& rel) {
  return rel == "." ? v.mountpoint : v.mountpoint + "/" + rel;
}

std::string verb_for(bool dax, std::string const& where) {
  return std::string(dax ? "set" : "clear") + " the dax flag of " + where;
}

Result<FileRequest> read_request(json const& r) {
  FileRequest f;
  DAXD_ASSIGN_OR_RETURN(f.volume, request_volume(r));
  DAXD_ASSIGN_OR_RETURN(f.path, optional_string(r, "path", "."));
  DAXD_ASSIGN_OR_RETURN(std::string const mount_dax, optional_string(r, "mount_dax", "inode"));
  f.dax = r.value("dax", false);
  f.directory = r.value("directory", false);
  f.was = r.value("was", !f.dax);
  f.takes_effect = !f.directory && mount_dax == "inode";
  f.quiesce = quiesce_request(r, f.volume, verb_for(f.dax, shown(f.volume, f.path)), !f.dax);
  return f;
}

/// The volume's mount, when daxd mounted it. Errors: conflict, the host's.
Result<MountEntry> daxd_mount(host::Host& host, Volume const& v) {
  if (v.filesystem == FsType::none || v.mountpoint.empty()) {
    return Fail(Errc::invalid_argument,
                "volume '" + v.name + "' has no filesystem mounted by daxd: dax does not apply");
  }
  DAXD_ASSIGN_OR_RETURN(auto const m, find_mount(host, v.mountpoint));
  if (!m || m->source != volume_node(v)) {
    return Fail(Errc::conflict, "volume '" + v.name + "' is not mounted at " + v.mountpoint +
                                    ": mount it before changing the dax flag of its files");
  }
  return *m;
}

/// The processes that hold the file (fds, mappings, exe): they keep its inode in memory.
Result<std::vector<Consumer>> file_holders(host::Host& host, host::FileDaxState const& st) {
  host::ConsumerQuery q;
  q.files.push_back(host::FileId{st.dev, st.inode});
  DAXD_ASSIGN_OR_RETURN(auto const found, host.processes().find_consumers(q));
  return process_consumers(found);
}

Result<std::vector<Consumer>> scan_holders(host::Host& host, FileRequest const& f) {
  DAXD_ASSIGN_OR_RETURN(auto const st,
                        host.filesystems().file_dax_state(f.volume.mountpoint, f.path));
  return file_holders(host, st);
}

// Best effort after the flag went back: let the old mode take effect again when nothing holds
// the file (the kernel usually did it already when the ioctl's fd closed).
void settle_after_undo(host::Host& host, FileRequest const& f, bool flag) {
  auto const st = host.filesystems().file_dax_state(f.volume.mountpoint, f.path);
  if (!st || st->effective_dax == flag) return;
  auto const holders = file_holders(host, *st);
  if (!holders || !holders->empty()) return;
  ignore_result(host.filesystems().evict_inodes(f.volume.mountpoint));
}

Step quiesce_file_step(FileRequest const& f) {
  Step s;
  s.name = "quiesce";
  s.description = shown(f.volume, f.path) + ": make its users let go (policy " +
                  std::string(to_string(f.quiesce.policy)) + ", deadline " +
                  std::to_string(f.quiesce.deadline.count()) + " ms)";
  s.run = [f](StepContext& ctx) -> Result<Outcome> {
    DAXD_ASSIGN_OR_RETURN(auto const before, scan_holders(ctx.host, f));
    if (before.empty()) return Outcome::unchanged;
    DAXD_TRY(quiesce(ctx.host, f.quiesce, [&]() { return scan_holders(ctx.host, f); }));
    return Outcome::changed;
  };
  return s;
}

Step set_flag_step(FileRequest const& f) {
  Step s;
  s.name = "set-flag";
  s.description = shown(f.volume, f.path) + ": " + (f.dax ? "set" : "clear") + " FS_XFLAG_DAX";
  s.run = [f](StepContext& ctx) -> Result<Outcome> {
    auto& fs = ctx.host.filesystems();
    DAXD_ASSIGN_OR_RETURN(auto const st, fs.file_dax_state(f.volume.mountpoint, f.path));
    if (!ctx.data.contains("was")) ctx.data["was"] = st.dax_flag;
    if (st.dax_flag == f.dax) return Outcome::unchanged;
    DAXD_TRY(fs.set_file_dax(f.volume.mountpoint, f.path, f.dax));
    return Outcome::changed;
  };
  s.undo = [f](StepContext& ctx) -> Result<Outcome> {
    // A crash may fall between the ioctl and the journal: the request knows the flag too.
    bool const was = ctx.data.value("was", f.was);
    auto& fs = ctx.host.filesystems();
    DAXD_ASSIGN_OR_RETURN(auto const st, fs.file_dax_state(f.volume.mountpoint, f.path));
    if (st.dax_flag == was) return Outcome::unchanged;
    DAXD_TRY(fs.set_file_dax(f.volume.mountpoint, f.path, was));
    if (f.takes_effect) settle_after_undo(ctx.host, f, was);
    return Outcome::changed;
  };
  return s;
}

Result<Outcome> make_effective(host::Host& host, FileRequest const& f) {
  auto& fs = host.filesystems();
  std::string const where = shown(f.volume, f.path);
  DAXD_ASSIGN_OR_RETURN(auto const st, fs.file_dax_state(f.volume.mountpoint, f.path));
  if (st.effective_dax == f.dax) return Outcome::unchanged;
  // Checked again here: a process may have opened the file since the quiesce step.
  DAXD_ASSIGN_OR_RETURN(auto holders, file_holders(host, st));
  if (!holders.empty()) {
    return Fail(volume_busy(f.volume.name, "make the new dax mode of " + where + " take effect",
                            std::move(holders)));
  }
  DAXD_TRY(fs.evict_inodes(f.volume.mountpoint));
  DAXD_ASSIGN_OR_RETURN(auto const after, fs.file_dax_state(f.volume.mountpoint, f.path));
  if (after.effective_dax == f.dax) return Outcome::changed;
  return Fail(Errc::busy, where + ": cannot evict its inode: statx still shows " +
                              (after.effective_dax ? "dax" : "no dax") +
                              " after drop_caches with no process holding it (a loop device, "
                              "swap file, io_uring or NFS export may pin it)");
}

Step evict_step(FileRequest const& f) {
  Step s;
  s.name = "evict";
  s.description = shown(f.volume, f.path) + ": evict its inode so that it loads " +
                  (f.dax ? "with" : "without") + " dax (checked by statx)";
  // Once the new mode is in effect the change is done: recovery finishes it. Without an undo
  // the engine commits before running it, and a failure still rolls back the flag.
  s.commit_point = true;
  s.run = [f](StepContext& ctx) { return make_effective(ctx.host, f); };
  return s;
}

Result<Plan> plan_set_file_dax(json const& r) {
  DAXD_ASSIGN_OR_RETURN(FileRequest const f, read_request(r));
  Plan plan{kSetFileDax, "volume/" + f.volume.name, {"volume/" + f.volume.name}, {}, {}};
  if (f.takes_effect) plan.steps.push_back(quiesce_file_step(f));
  plan.steps.push_back(set_flag_step(f));
  if (f.takes_effect) plan.steps.push_back(evict_step(f));
  if (f.directory) {
    plan.notes.push_back(
        "a directory never shows dax itself: files and directories created in "
        "it later inherit the flag; existing ones keep theirs");
  } else if (!f.takes_effect) {
    plan.notes.push_back("volume '" + f.volume.name +
                         "' is mounted with dax=" + r.value("mount_dax", std::string("?")) +
                         ": the flag is stored but takes effect only under dax=inode");
  }
  return plan;
}

Result<void> preflight_set_file_dax(json const& r, host::Host& host) {
  DAXD_ASSIGN_OR_RETURN(FileRequest const f, read_request(r));
  DAXD_TRY(daxd_mount(host, f.volume));
  DAXD_ASSIGN_OR_RETURN(auto const st,
                        host.filesystems().file_dax_state(f.volume.mountpoint, f.path));
  if (!f.takes_effect || (st.dax_flag == f.dax && st.effective_dax == f.dax)) return Ok();
  DAXD_ASSIGN_OR_RETURN(auto const holders, file_holders(host, st));
  return check_quiesce(f.quiesce, holders);
}

}  // namespace

Result<std::string> volume_relative_path(Volume const& v, std::string const& path) {
  if (path.empty()) return Fail(Errc::invalid_argument, "'path' must not be empty");
  if (path.find('\0') != std::string::npos) {
    return Fail(Errc::invalid_argument, "'path' must not contain NUL");
  }
  std::string rest = path;
  if (path.front() == '/') {
    std::string const root = v.mountpoint == "/" ? "" : v.mountpoint;
    if (path != root && !path.starts_with(root + "/")) {
      return Fail(Errc::invalid_argument, path + ": not inside the mountpoint " + v.mountpoint +
                                              " of volume '" + v.name + "'");
    }
    rest = path.substr(root.size());
  }
  std::string out;
  std::size_t pos = 0;
  while (pos <= rest.size()) {
    auto const next = std::min(rest.find('/', pos), rest.size());
    std::string const part = rest.substr(pos, next - pos);
    pos = next + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return Fail(Errc::invalid_argument, path + ": '..' is not allowed");
    out += (out.empty() ? "" : "/") + part;
  }
  return out.empty() ? std::string(".") : out;
}

Result<json> file_dax_json(host::Host& host, Volume const& v, std::string const& path) {
  DAXD_ASSIGN_OR_RETURN(std::string const rel, volume_relative_path(v, path));
  DAXD_ASSIGN_OR_RETURN(MountEntry const m, daxd_mount(host, v));
  DAXD_ASSIGN_OR_RETURN(auto const st, host.filesystems().file_dax_state(v.mountpoint, rel));
  json out{{"volume", v.name},
           {"path", st.path},
           {"dax_flag", st.dax_flag},
           {"effective_dax", st.effective_dax}};
  DaxMode const mode = mounted_dax(m);
  if (st.directory) {
    out["directory"] = true;
    out["note"] =
        "a directory never shows dax: files and directories created in it later "
        "inherit its flag";
  } else if (mode != DaxMode::inode) {
    out["note"] = "volume '" + v.name + "' is mounted with dax=" + std::string(to_string(mode)) +
                  ": the flag is stored but takes effect only under dax=inode";
  } else if (st.dax_flag != st.effective_dax) {
    out["note"] = "the flag takes effect once no process holds the file and its inode is evicted";
  }
  return out;
}

Result<json> normalise_set_file_dax(host::Host& host, state::DesiredState& desired,
                                    std::string const& name, json const& body) {
  if (!body.is_object()) return Fail(Errc::invalid_argument, "request body must be a JSON object");
  DAXD_ASSIGN_OR_RETURN(Volume const v, desired_volume(desired, name));
  auto const dax = body.find("dax");
  if (dax == body.end() || !dax->is_boolean()) {
    return Fail(Errc::invalid_argument, "'dax' must be true or false");
  }
  auto const path = body.find("path");
  if (path == body.end() || !path->is_string()) {
    return Fail(Errc::invalid_argument, "'path' must be a string");
  }
  DAXD_ASSIGN_OR_RETURN(std::string const rel, volume_relative_path(v, path->get<std::string>()));
  DAXD_ASSIGN_OR_RETURN(MountEntry const m, daxd_mount(host, v));
  DAXD_ASSIGN_OR_RETURN(auto const st, host.filesystems().file_dax_state(v.mountpoint, rel));
  json out{{"name", name},
           {"volume", volume_spec(v)},
           {"path", rel},
           {"dax", dax->get<bool>()},
           {"directory", st.directory},
           {"mount_dax", to_string(mounted_dax(m))},
           {"was", st.dax_flag}};
  DAXD_TRY(detail::normalise_quiesce(body, out));
  if (out.at("policy") == "wait") {
    return Fail(Errc::invalid_argument, "'policy' must be \"refuse\" or \"terminate\"");
  }
  return out;
}

Result<bool> set_file_dax_changes(host::Host& host, json const& request) {
  DAXD_ASSIGN_OR_RETURN(FileRequest const f, read_request(request));
  DAXD_ASSIGN_OR_RETURN(auto const st,
                        host.filesystems().file_dax_state(f.volume.mountpoint, f.path));
  return st.dax_flag != f.dax || (f.takes_effect && st.effective_dax != f.dax);
}

void register_file_dax_operations(Orchestrator& o, state::DesiredState& desired) {
  (void)desired;  // the request carries the volume's spec; kept for symmetry and later checks
  o.register_type({kSetFileDax, plan_set_file_dax, preflight_set_file_dax});
}

}  // namespace daxd::orchestrator
