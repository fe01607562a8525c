// SPDX-License-Identifier: Apache-2.0
// `daxadm set-dax VOLUME MODE`: PATCH /v1/volumes/VOLUME {dax} (stop users, unmount, mount with
// the new mode); `set-dax VOLUME --file PATH on|off`: PATCH /v1/volumes/VOLUME/files.
#include <memory>

#include "cli/json_print.h"
#include "cli/verbs.h"
#include "cli/volume_change.h"

namespace daxd::cli {
namespace {

struct SetDaxArgs {
  std::string volume;
  std::string value;  // always|never|inode, or on|off with --file
  std::string file;
  bool human_sizes = false;
  QuiesceOptions quiesce;
  ChangeOptions change;
};

Result<void> run_set_mode(Session& s, SetDaxArgs const& a) {
  nlohmann::json body = {{"dax", a.value}};
  put_quiesce_options(a.quiesce, body);
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const answer,
                        s.call("PATCH", volume_path(a.volume) + change_query(a.change),
                               body.dump(), change_timeout(a.change)));
  Result<void> pending = Ok();
  std::string const what = "set dax=" + a.value + " on volume " + a.volume;
  if (handle_volume_pending(s, answer, a.change, what, pending)) return pending;
  print_volume(s, answer, a.human_sizes);
  if (!answer.value("changed", true)) {
    s.err() << "volume " << a.volume << " already has dax=" << a.value << ", unchanged\n";
  } else {
    s.err() << "volume " << a.volume << " now has dax=" << a.value << "\n";
  }
  return Ok();
}

Result<void> run_set_file(Session& s, SetDaxArgs const& a) {
  nlohmann::json body = {{"path", a.file}, {"dax", a.value == "on"}};
  put_quiesce_options(a.quiesce, body);
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const answer,
                        s.call("PATCH", volume_path(a.volume, "files") + change_query(a.change),
                               body.dump(), change_timeout(a.change)));
  Result<void> pending = Ok();
  std::string const what = "set dax " + a.value + " for " + a.file + " on volume " + a.volume;
  if (handle_volume_pending(s, answer, a.change, what, pending)) return pending;
  if (auto const f = answer.find("file"); f != answer.end() && f->is_object()) {
    s.out() << to_ndctl_json(file_object(*f)) << "\n";
  }
  if (!answer.value("changed", true)) {
    s.err() << a.file << " already has dax " << a.value << ", unchanged\n";
  } else {
    s.err() << "set dax " << a.value << " for " << a.file << "\n";
  }
  if (auto const note = answer.find("note"); note != answer.end() && note->is_string()) {
    s.err() << "note: " << note->get<std::string>() << "\n";
  }
  return Ok();
}

void check_value(SetDaxArgs const& a) {
  if (!a.file.empty()) {
    if (a.value != "on" && a.value != "off") {
      throw CLI::ValidationError("set-dax --file", "the flag must be on or off, not '" + a.value +
                                                       "'");
    }
    return;
  }
  if (a.value != "always" && a.value != "never" && a.value != "inode") {
    throw CLI::ValidationError("set-dax",
                               "MODE must be always, never or inode, not '" + a.value + "'");
  }
}

}  // namespace

void add_set_dax_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<SetDaxArgs>();
  CLI::App* sub = app.add_subcommand(
      "set-dax", "change a volume's dax mount mode (always, never, inode), or with --file the "
                 "DAX flag of one file (on, off)");
  sub->add_option("volume", args->volume, "the volume's name")->required();
  sub->add_option("mode", args->value, "always, never or inode; on or off with --file")
      ->required();
  sub->add_option("--file", args->file,
                  "a file of the volume (absolute, or relative to its mountpoint)");
  sub->add_flag("-u,--human-sizes", args->human_sizes, "use human friendly number formats");
  add_quiesce_options(*sub, args->quiesce, {"refuse", "wait", "terminate"});
  add_change_options(*sub, args->change);
  sub->callback([args, &chosen] {
    check_value(*args);
    chosen = [args](Session& s) {
      return args->file.empty() ? run_set_mode(s, *args) : run_set_file(s, *args);
    };
  });
}

}  // namespace daxd::cli
