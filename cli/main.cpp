// SPDX-License-Identifier: Apache-2.0
// daxadm: the command line client of daxd. Wiring only; the logic lives in daxd::cli.
#include <iostream>

#include "cli/app.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return daxd::cli::run(args, std::cout, std::cerr);
}
