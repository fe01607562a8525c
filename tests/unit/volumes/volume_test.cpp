// SPDX-License-Identifier: Apache-2.0
// Volumes on the sim host: create (linear, concatenated, striped), destroy, grow, refusals,
// namespace membership, and faults at each step restoring the original state.
#include <gtest/gtest.h>

#include "daemon/orchestrator/volume_consumers.h"
#include "tests/unit/volumes/volume_env.h"

namespace daxd::testing {
namespace {

using orchestrator::kCreateVolume;
using orchestrator::kDestroyVolume;
using orchestrator::kGrowVolume;

TEST(Volumes, CreatesLinearOverOneNamespaceMountedWithDax) {
  VolumeEnv env("linear");
  env.make_mounted_volume();
  auto const s = env.host->state();
  ASSERT_EQ(s.dm_devices.size(), 1u);
  EXPECT_EQ(s.dm_devices[0].name, "daxd-vol");
  EXPECT_EQ(s.dm_devices[0].uuid, "DAXD-vol");
  ASSERT_EQ(s.dm_devices[0].table.size(), 1u);
  EXPECT_EQ(s.dm_devices[0].table[0].type, "linear");
  auto const* m = env.mount_at(s, kMnt);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->source, kNode);
  EXPECT_EQ(m->dax, DaxMode::always);
  EXPECT_TRUE(m->dax_active);
  auto const sig = env.host->filesystems().probe_signature(kNode);
  ASSERT_TRUE(sig);
  EXPECT_EQ(*sig, "ext4");

  auto const vols = env.volumes();
  ASSERT_EQ(vols.size(), 1u);
  EXPECT_EQ(vols[0].name, "vol");
  EXPECT_EQ(vols[0].state, VolumeState::active);
  EXPECT_EQ(vols[0].blockdev, "dm-0");
  EXPECT_TRUE(vols[0].dax_capable);
  EXPECT_EQ(vols[0].mountpoint, kMnt);
  ASSERT_EQ(vols[0].extents.size(), 1u);
  EXPECT_EQ(vols[0].extents[0].namespace_name, "a");
  EXPECT_EQ(vols[0].size, vols[0].extents[0].length);
  expect_at_rest(*env.host);
}

TEST(Volumes, CreatesStripedOverTwoNamespaces) {
  VolumeEnv env("striped");
  env.make_namespace("a", "region0");
  env.make_namespace("b", "region1");
  Operation const op = env.run(kCreateVolume, env.create_volume({{"name", "vol"},
                                                                 {"layout", "striped"},
                                                                 {"namespaces", {"a", "b"}},
                                                                 {"stripe_size", "64K"},
                                                                 {"mountpoint", kMnt}}));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  auto const s = env.host->state();
  ASSERT_EQ(s.dm_devices.size(), 1u);
  ASSERT_EQ(s.dm_devices[0].table.size(), 1u);
  EXPECT_EQ(s.dm_devices[0].table[0].type, "striped");
  EXPECT_EQ(s.dm_devices[0].table[0].params.rfind("2 128 ", 0), 0u)
      << s.dm_devices[0].table[0].params;
  auto const vols = env.volumes();
  ASSERT_EQ(vols.size(), 1u);
  EXPECT_EQ(vols[0].layout, VolumeLayout::striped);
  EXPECT_EQ(vols[0].stripe_size, 64u * 1024u);
  EXPECT_EQ(vols[0].extents.size(), 2u);
  EXPECT_EQ(vols[0].state, VolumeState::active);
  EXPECT_TRUE(vols[0].dax_capable);
}

TEST(Volumes, ConcatenatesExtentsOfSeveralNamespaces) {
  VolumeEnv env("concat");
  env.make_namespace("a", "region0");
  env.make_namespace("b", "region1");
  nlohmann::json extents =
      nlohmann::json::array({{{"namespace", "a"}, {"length", "64M"}},
                             {{"namespace", "b"}, {"offset", "2M"}, {"length", "32M"}}});
  Operation const op =
      env.run(kCreateVolume,
              env.create_volume({{"name", "vol"}, {"extents", extents}, {"filesystem", "none"}}));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  auto const s = env.host->state();
  ASSERT_EQ(s.dm_devices.size(), 1u);
  auto const& t = s.dm_devices[0].table;
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].length, 64u * 2048u);
  EXPECT_EQ(t[1].start, 64u * 2048u);
  EXPECT_EQ(t[1].length, 32u * 2048u);
  EXPECT_EQ(t[1].params.substr(t[1].params.find(' ') + 1), "4096");
  EXPECT_EQ(env.volumes().at(0).size, 96u << 20);
}

TEST(Volumes, RejectsBadCreateRequests) {
  VolumeEnv env("bad");
  env.make_namespace("a");
  env.make_namespace("d", "region1", "128M");
  ASSERT_EQ(env.run(orchestrator::kReconfigureNamespace,
                    *orchestrator::normalise_namespace_change(*env.host, "reconfigure-namespace",
                                                              "d", {{"mode", "devdax"}}))
                .state,
            OperationState::completed);
  for (auto const& body :
       {nlohmann::json{{"name", "../v"}, {"namespaces", {"a"}}}, nlohmann::json{{"name", "vol"}},
        nlohmann::json{{"name", "vol"}, {"namespaces", {"a"}}, {"mountpoint", "relative"}},
        nlohmann::json{{"name", "vol"}, {"namespaces", {"a"}}, {"dax", "sometimes"}},
        nlohmann::json{{"name", "vol"}, {"namespaces", {"d"}}},
        nlohmann::json{{"name", "vol"}, {"layout", "striped"}, {"namespaces", {"a"}}},
        nlohmann::json{{"name", "vol"}, {"extents", {{{"namespace", "a"}, {"offset", "1M"}}}}},
        nlohmann::json{{"name", "vol"}, {"extents", {{{"namespace", "a"}, {"length", "1G"}}}}}}) {
    auto r = orchestrator::normalise_create_volume(*env.host, body);
    ASSERT_FALSE(r) << body.dump();
    EXPECT_EQ(r.error().code, Errc::invalid_argument) << body.dump() << ": " << r.error().message;
  }
  auto missing =
      orchestrator::normalise_create_volume(*env.host, {{"name", "v"}, {"namespaces", {"zz"}}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST(Volumes, CreateIsIdempotentByNameAndNeverRunsTwice) {
  VolumeEnv env("idem");
  env.make_mounted_volume();
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "precious"));
  auto const same = env.create_volume(
      {{"name", "vol"}, {"namespaces", {"a"}}, {"mountpoint", kMnt}, {"dax", "always"}});
  auto found = orchestrator::existing_volume(env.state->desired(), same);
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->name, "vol");
  auto other = orchestrator::existing_volume(
      env.state->desired(),
      env.create_volume({{"name", "vol"}, {"namespaces", {"a"}}, {"mountpoint", "/mnt/other"}}));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, Errc::already_exists);
  auto again = env.engine->submit(kCreateVolume, same);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::already_exists);
  EXPECT_EQ(*env.host->read_file(kNode, "/data"), "precious");
}

TEST(Volumes, VolumesShareANamespaceButNotItsBytes) {
  VolumeEnv env("share");
  env.make_namespace("a");
  auto first = env.create_volume({{"name", "one"},
                                  {"extents", {{{"namespace", "a"}, {"length", "64M"}}}},
                                  {"filesystem", "none"}});
  ASSERT_EQ(env.run(kCreateVolume, first).state, OperationState::completed);
  auto clash = env.create_volume({{"name", "two"},
                                  {"extents", {{{"namespace", "a"}, {"offset", "32M"}}}},
                                  {"filesystem", "none"}});
  auto refused = env.engine->submit(kCreateVolume, clash);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::busy);
  EXPECT_EQ(refused.error().blockers.at(0).command, "daxd-one");
  auto beside = env.create_volume({{"name", "two"},
                                   {"extents", {{{"namespace", "a"}, {"offset", "64M"}}}},
                                   {"filesystem", "none"}});
  ASSERT_EQ(env.run(kCreateVolume, beside).state, OperationState::completed);
  EXPECT_EQ(env.volumes().size(), 2u);
}

TEST(Volumes, DestroyIsRefusedWhileAProcessUsesTheFilesystem) {
  VolumeEnv env("destroy");
  env.make_mounted_volume();
  ASSERT_TRUE(env.host->add_process(
      host::sim::process(4242, "postgres", {host::sim::cwd("/mnt/vol/data")})));
  auto refused = env.engine->submit(kDestroyVolume, env.destroy());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::busy);
  EXPECT_NE(refused.error().message.find("pid 4242 (postgres)"), std::string::npos)
      << refused.error().message;
  ASSERT_EQ(refused.error().blockers.size(), 1u);
  EXPECT_EQ(refused.error().blockers[0].pid, 4242);
  EXPECT_EQ(refused.error().blockers[0].command, "postgres");
  EXPECT_EQ(env.host->state().dm_devices.size(), 1u) << "a refusal changes nothing";

  ASSERT_TRUE(env.host->remove_process(4242));
  Operation const op = env.run(kDestroyVolume, env.destroy());
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  auto const s = env.host->state();
  EXPECT_TRUE(s.dm_devices.empty());
  EXPECT_TRUE(s.mounts.empty());
  EXPECT_TRUE(env.volumes().empty());
  expect_at_rest(*env.host);
}

TEST(Volumes, DestroyWithTerminateEndsTheProcesses) {
  VolumeEnv env("destroy-term");
  env.make_mounted_volume();
  ASSERT_TRUE(env.host->add_process(host::sim::process(
      7, "writer", {host::sim::open_fd("/mnt/vol/log"), host::sim::mapping("/mnt/vol/log")})));
  Operation const op = env.run(kDestroyVolume, env.destroy("terminate"));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_TRUE(env.host->state().processes.empty());
  EXPECT_TRUE(env.host->state().dm_devices.empty());
}

TEST(Volumes, ConsumersAreMountsProcessesAndHoldersWithMapSyncFlagged) {
  VolumeEnv env("consumers");
  env.make_mounted_volume();
  ASSERT_TRUE(env.host->add_process(host::sim::process(
      11, "db",
      {host::sim::mapping("/mnt/vol/wal", /*map_sync=*/true), host::sim::cwd("/mnt/vol")})));
  ASSERT_TRUE(env.host->add_process(host::sim::process(12, "dd", {host::sim::open_fd(kNode)})));
  auto v = orchestrator::desired_volume(env.state->desired(), "vol");
  ASSERT_TRUE(v);
  auto found = orchestrator::volume_consumers(*env.host, *v);
  ASSERT_TRUE(found) << found.error().message;
  int mounts = 0, map_sync = 0, node = 0;
  for (auto const& c : *found) {
    if (c.kind == ConsumerKind::mount && c.path == kMnt && c.dax) ++mounts;
    if (c.pid == 11 && c.kind == ConsumerKind::mapping && c.map_sync) ++map_sync;
    if (c.pid == 12 && c.kind == ConsumerKind::fd && c.path == kNode) ++node;
  }
  EXPECT_EQ(mounts, 1);
  EXPECT_EQ(map_sync, 1);
  EXPECT_EQ(node, 1);
  EXPECT_EQ(orchestrator::process_consumers(*found).size(), 3u);
  EXPECT_EQ(orchestrator::dax_mappings(*found).size(), 1u);

  // The check the reload, suspend and remove steps repeat just before they act.
  auto refused = orchestrator::require_no_dax_mapping(*env.host, *v, "reload its table");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::busy);
  EXPECT_NE(refused.error().message.find("pid 11 (db)"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("MAP_SYNC"), std::string::npos);
}

TEST(Volumes, ANamespaceInAVolumeCannotBeDestroyed) {
  VolumeEnv env("member");
  env.make_mounted_volume();
  auto request = orchestrator::normalise_namespace_change(*env.host, "destroy-namespace", "a",
                                                          {{"force", true}});
  ASSERT_TRUE(request);
  auto refused = env.engine->submit(orchestrator::kDestroyNamespace, *request);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::busy);
  ASSERT_FALSE(refused.error().blockers.empty());
  EXPECT_EQ(refused.error().blockers[0].kind, ConsumerKind::holder);
  EXPECT_EQ(refused.error().blockers[0].command, "daxd-vol");
  EXPECT_NE(refused.error().message.find("daxd-vol"), std::string::npos);
  EXPECT_EQ(env.namespaces().size(), 1u);

  // The desired state alone holds it: with the dm device gone (a reboot), still refused.
  ASSERT_TRUE(env.host->filesystems().unmount(kMnt));
  ASSERT_TRUE(env.host->device_mapper().remove("daxd-vol"));
  auto members = orchestrator::volume_memberships(env.state->desired(), "a");
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 1u);
  EXPECT_FALSE(env.engine->submit(orchestrator::kDestroyNamespace, *request));
  EXPECT_EQ(env.volumes().at(0).state, VolumeState::failed);
}

TEST(Volumes, CreateFaultsRestoreTheOriginalState) {
  for (auto const& [op_name, err] :
       {std::pair{"dm.create", EIO}, std::pair{"dm.create", EBUSY},
        std::pair{"fs.make_filesystem", EIO}, std::pair{"fs.make_filesystem", EBUSY},
        std::pair{"fs.mount", EBUSY}, std::pair{"fs.mount", EIO}}) {
    SCOPED_TRACE(std::string(op_name) + " " + std::to_string(err));
    VolumeEnv env(std::string("cfault-") + op_name + std::to_string(err));
    env.make_namespace("a");
    auto const request = env.create_volume(
        {{"name", "vol"}, {"namespaces", {"a"}}, {"mountpoint", kMnt}, {"force", true}});
    ASSERT_TRUE(env.host->inject_fault(op_name, err));
    Operation const op = env.run(kCreateVolume, request);
    EXPECT_EQ(op.state, OperationState::rolled_back) << op.error;
    auto const s = env.host->state();
    EXPECT_TRUE(s.dm_devices.empty());
    EXPECT_TRUE(s.mounts.empty());
    EXPECT_TRUE(env.volumes().empty());
    expect_at_rest(*env.host);
    // And it works once the fault is gone.
    EXPECT_EQ(env.run(kCreateVolume, request).state, OperationState::completed);
  }
}

TEST(Volumes, DestroyFaultsRestoreTheOriginalState) {
  for (auto const& [op_name, err] : {std::pair{"fs.unmount", EBUSY}, std::pair{"fs.unmount", EIO},
                                     std::pair{"dm.remove", EBUSY}}) {
    SCOPED_TRACE(std::string(op_name) + " " + std::to_string(err));
    VolumeEnv env(std::string("dfault-") + op_name + std::to_string(err));
    env.make_mounted_volume();
    ASSERT_TRUE(env.host->write_file(kNode, "/data", "keep me"));
    ASSERT_TRUE(env.host->inject_fault(op_name, err));
    Operation const op = env.run(kDestroyVolume, env.destroy());
    EXPECT_EQ(op.state, OperationState::rolled_back) << op.error;
    auto const s = env.host->state();
    EXPECT_EQ(s.dm_devices.size(), 1u);
    auto const* m = env.mount_at(s, kMnt);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->dax, DaxMode::always);
    EXPECT_EQ(env.volumes().at(0).state, VolumeState::active);
    EXPECT_EQ(*env.host->read_file(kNode, "/data"), "keep me");
    expect_at_rest(*env.host);
  }
}

TEST(Volumes, GrowAppendsAnExtentAndIsRefusedUnderADaxMapping) {
  VolumeEnv env("grow");
  env.make_namespace("a", "region0");
  env.make_namespace("b", "region1");
  ASSERT_EQ(env.run(kCreateVolume,
                    env.create_volume({{"name", "vol"},
                                       {"extents", {{{"namespace", "a"}, {"length", "128M"}}}},
                                       {"mountpoint", kMnt}}))
                .state,
            OperationState::completed);
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "before grow"));
  auto grow =
      orchestrator::normalise_grow_volume(*env.host, env.state->desired(), "vol",
                                          {{"extents", {{{"namespace", "b"}, {"length", "64M"}}}}});
  ASSERT_TRUE(grow) << grow.error().message;

  ASSERT_TRUE(env.host->add_process(
      host::sim::process(9, "mapper", {host::sim::mapping("/mnt/vol/data")})));
  auto refused = env.engine->submit(kGrowVolume, *grow);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::busy);
  EXPECT_EQ(refused.error().blockers.at(0).pid, 9);
  ASSERT_TRUE(env.host->remove_process(9));

  Operation const op = env.run(kGrowVolume, *grow);
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  auto const s = env.host->state();
  ASSERT_EQ(s.dm_devices.at(0).table.size(), 2u);
  EXPECT_EQ(env.volumes().at(0).size, 192u << 20);
  EXPECT_EQ(*env.host->read_file(kNode, "/data"), "before grow");
  expect_at_rest(*env.host);
}

TEST(Volumes, GrowFaultsResumeTheDevice) {
  for (auto const* op_name : {"dm.reload", "dm.resume", "dm.suspend"}) {
    SCOPED_TRACE(op_name);
    VolumeEnv env(std::string("gfault-") + op_name);
    env.make_namespace("a", "region0");
    env.make_namespace("b", "region1");
    ASSERT_EQ(env.run(kCreateVolume,
                      env.create_volume({{"name", "vol"},
                                         {"extents", {{{"namespace", "a"}, {"length", "128M"}}}},
                                         {"filesystem", "none"}}))
                  .state,
              OperationState::completed);
    auto const before = env.host->state().dm_devices.at(0).table;
    auto grow = orchestrator::normalise_grow_volume(*env.host, env.state->desired(), "vol",
                                                    {{"namespaces", {"b"}}});
    ASSERT_TRUE(grow);
    ASSERT_TRUE(env.host->inject_fault(op_name, EIO));
    Operation const op = env.run(kGrowVolume, *grow);
    EXPECT_EQ(op.state, OperationState::rolled_back) << op.error;
    EXPECT_EQ(env.host->state().dm_devices.at(0).table, before);
    EXPECT_EQ(env.volumes().at(0).extents.size(), 1u);
    expect_at_rest(*env.host);
  }
}

}  // namespace
}  // namespace daxd::testing
