// SPDX-License-Identifier: Apache-2.0
// Runs daxadm in-process against a FakeDaxd and keeps its exit code, stdout and stderr.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "tests/unit/cli/fake_daxd.h"

namespace daxd::cli::testing {

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

/// `daxadm --socket <fake's socket> ARGS...`.
inline Outcome daxadm(FakeDaxd const& fake, std::vector<std::string> args) {
  args.insert(args.begin(), {"daxadm", "--socket", fake.socket()});
  std::ostringstream out, err;
  Outcome r;
  r.code = run(args, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace daxd::cli::testing
