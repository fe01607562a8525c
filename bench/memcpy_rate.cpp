// SPDX-License-Identifier: Apache-2.0
// Baseline for the copy snapshot's bandwidth: a plain memcpy of the same size in the same guest.
//
// Usage: memcpy_rate MIB [REPS]  ->  "memcpy_mib_s=X best_ms=Y mib=N reps=R"
// Both buffers are touched first, so the figure is the copy alone, not page faults.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: memcpy_rate MIB [REPS]\n");
    return 2;
  }
  std::size_t const mib = std::strtoul(argv[1], nullptr, 10);
  int const reps = argc > 2 ? std::atoi(argv[2]) : 3;
  std::size_t const bytes = mib << 20;
  if (bytes == 0 || reps <= 0) {
    std::fprintf(stderr, "memcpy_rate: MIB and REPS must be positive\n");
    return 2;
  }
  auto const from = std::make_unique<char[]>(bytes);
  auto const to = std::make_unique<char[]>(bytes);
  std::memset(from.get(), 0x5a, bytes);
  std::memset(to.get(), 0, bytes);
  double best_ms = 1e300;
  for (int i = 0; i < reps; ++i) {
    auto const t0 = std::chrono::steady_clock::now();
    std::memcpy(to.get(), from.get(), bytes);
    std::chrono::duration<double, std::milli> const took = std::chrono::steady_clock::now() - t0;
    best_ms = std::min(best_ms, took.count());
  }
  // Read the copy back so the compiler cannot drop it.
  if (to[bytes - 1] != 0x5a) return 1;
  std::printf("memcpy_mib_s=%.0f best_ms=%.1f mib=%zu reps=%d\n",
              static_cast<double>(mib) * 1000.0 / best_ms, best_ms, mib, reps);
  return 0;
}
