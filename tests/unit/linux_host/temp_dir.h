// SPDX-License-Identifier: Apache-2.0
// A temporary directory removed with its contents at scope exit.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace daxd::testing {

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "daxd-linux-XXXXXX").string();
    path_ = std::filesystem::canonical(::mkdtemp(templ.data()));
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(TempDir const&) = delete;
  TempDir& operator=(TempDir const&) = delete;
  std::filesystem::path const& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace daxd::testing
