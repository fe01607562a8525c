// SPDX-License-Identifier: Apache-2.0
// Every JSON request body daxd accepts: the input is parsed as JSON and handed to each
// operation's normaliser; what normalises is planned and preflighted (dry_run), never run.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/fuzz/fuzz_env.h"

namespace {

using nlohmann::json;
namespace orch = daxd::orchestrator;

// A namespace and a mounted volume to aim at, so that names in the input can hit real objects.
void seed(daxd::fuzz::FuzzEnv& e) {
  auto run = [&e](char const* type, json const& body) {
    auto s = e.engine->submit(type, body);
    if (!s) std::abort();
    ignore_result(e.engine->wait(s->operation.id, std::chrono::seconds(30)));
  };
  run(orch::kCreateNamespace,
      *orch::normalise_create_namespace(
          json{{"name", "fz0"}, {"region", "region0"}, {"size", "256M"}, {"mode", "fsdax"}}));
  auto v = orch::normalise_create_volume(
      *e.host, json{{"name", "fv"}, {"namespaces", {"fz0"}}, {"mountpoint", "/mnt/daxd-fuzz"}});
  if (!v) {
    std::fprintf(stderr, "seed volume: %s\n", v.error().message.c_str());
    std::abort();
  }
  run(orch::kCreateVolume, *v);
}

void plan(daxd::fuzz::FuzzEnv& e, char const* type, daxd::Result<json> const& request) {
  if (request) ignore_result(e.engine->dry_run(type, *request));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static bool const seeded = [] {
    seed(daxd::fuzz::env());
    return true;
  }();
  (void)seeded;
  auto& e = daxd::fuzz::env();
  json const body =
      json::parse(data, data + size, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/false);
  if (body.is_discarded()) return 0;
  auto& host = *e.host;
  auto& desired = e.state->desired();
  plan(e, orch::kCreateNamespace, orch::normalise_create_namespace(body));
  for (char const* type : {orch::kDestroyNamespace, orch::kReconfigureNamespace}) {
    plan(e, type, orch::normalise_namespace_change(host, type, "fz0", body));
  }
  plan(e, orch::kCreateVolume, orch::normalise_create_volume(host, body));
  ignore_result(orch::existing_volume(desired, body));
  plan(e, orch::kDestroyVolume, orch::normalise_destroy_volume(desired, "fv", body));
  plan(e, orch::kSetDax, orch::normalise_set_dax(desired, "fv", body));
  plan(e, orch::kGrowVolume, orch::normalise_grow_volume(host, desired, "fv", body));
  return 0;
}
