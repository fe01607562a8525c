// SPDX-License-Identifier: Apache-2.0
// The volume test environment with reconcile-volume registered, and a simulated reboot.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/orchestrator/reconcile.h"
#include "tests/unit/volumes/volume_env.h"

namespace daxd::testing {

struct ReconcileEnv : VolumeEnv {
  explicit ReconcileEnv(std::string const& name) : VolumeEnv("rec-" + name) { add_reconcile(); }

  void add_reconcile() { orchestrator::register_reconcile_operation(*engine); }
  void open_reconcile() {
    open_all();
    add_reconcile();
  }
  void reopen_reconcile() {
    reopen_all();
    add_reconcile();
  }

  /// What a reboot does to the kernel: dm devices and mounts are gone (namespaces and their
  /// data stay); processes are gone too. `drop_namespaces` also loses these namespaces.
  void reboot(std::vector<std::string> const& drop_namespaces = {}) {
    auto s = host->state();
    s.dm_devices.clear();
    s.mounts.clear();
    s.processes.clear();
    std::erase_if(s.namespaces, [&](host::sim::SimNamespace const& n) {
      return std::find(drop_namespaces.begin(), drop_namespaces.end(), n.name) !=
             drop_namespaces.end();
    });
    ASSERT_TRUE(host::sim::write_state_file(host->path(), s));
    ASSERT_TRUE(host->reload());
  }

  orchestrator::ReconcileReport reconcile() {
    auto r = orchestrator::reconcile_volumes(*engine, *host, state->desired(), sink);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? *r : orchestrator::ReconcileReport{};
  }

  std::vector<orchestrator::Event> events_of(std::string const& type) {
    std::vector<orchestrator::Event> out;
    for (auto const& e : sink.snapshot()) {
      if (e.type == type) out.push_back(e);
    }
    return out;
  }
};

}  // namespace daxd::testing
