// SPDX-License-Identifier: Apache-2.0
// `daxadm file-dax VOLUME PATH`: GET /v1/volumes/VOLUME/files?path=PATH: a file's DAX flag
// (FS_XFLAG_DAX) and whether DAX serves it now (statx STATX_ATTR_DAX).
#include <memory>

#include "cli/json_print.h"
#include "cli/verbs.h"
#include "cli/volume_change.h"

namespace daxd::cli {
namespace {

struct FileDaxArgs {
  std::string volume;
  std::string path;
};

std::string on_off(nlohmann::json const& file, char const* key) {
  auto const it = file.find(key);
  if (it == file.end() || !it->is_boolean()) return "unknown";
  return it->get<bool>() ? "on" : "off";
}

Result<void> run_file_dax(Session& s, FileDaxArgs const& a) {
  DAXD_ASSIGN_OR_RETURN(nlohmann::json const file,
                        s.get(volume_path(a.volume, "files") + "?path=" + percent_encode(a.path)));
  if (!file.is_object()) {
    return s.daxd_error(Errc::io_error, "daxd answered a file that is no object");
  }
  s.out() << to_ndctl_json(file_object(file)) << "\n";
  s.err() << file.value("path", a.path) << ": dax flag " << on_off(file, "dax_flag")
          << ", effective dax " << on_off(file, "effective_dax") << "\n";
  return Ok();
}

}  // namespace

void add_file_dax_verb(CLI::App& app, VerbAction& chosen) {
  auto args = std::make_shared<FileDaxArgs>();
  CLI::App* sub =
      app.add_subcommand("file-dax", "show a file's DAX flag and whether DAX serves it now");
  sub->add_option("volume", args->volume, "the volume's name")->required();
  sub->add_option("path", args->path, "the file (absolute, or relative to the mountpoint)")
      ->required();
  sub->callback([args, &chosen] { chosen = [args](Session& s) { return run_file_dax(s, *args); }; });
}

}  // namespace daxd::cli
