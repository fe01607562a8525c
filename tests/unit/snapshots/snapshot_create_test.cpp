// SPDX-License-Identifier: Apache-2.0
// create-snapshot on the sim host: copy and cow (first and further), contents at the snapshot's
// time, idempotency, refusals, auto's choice and the dry run.
#include <algorithm>

#include <gtest/gtest.h>

#include "tests/unit/snapshots/snapshot_env.h"

namespace daxd::testing {
namespace {

using orchestrator::kCreateSnapshot;

TEST(CreateSnapshot, CopyHoldsTheOriginAsItWasAndKeepsDax) {
  SnapshotEnv env("copy");
  env.make_mounted_volume();
  env.make_namespace("s", "region1");
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "before"));
  Operation const op = env.create("n", "copy", "s", {{"mountpoint", kSnapMnt}});
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "after"));
  EXPECT_EQ(env.read(kSnapNode), "before") << "the copy shows the origin at the freeze";
  EXPECT_EQ(env.read(kNode), "after");

  auto const s = env.host->state();
  auto const* origin = env.mount_at(s, kMnt);
  ASSERT_NE(origin, nullptr);
  EXPECT_EQ(origin->dax, DaxMode::always) << "a copy leaves the origin's DAX alone";
  auto const* ro = env.mount_at(s, kSnapMnt);
  ASSERT_NE(ro, nullptr);
  EXPECT_TRUE(ro->read_only);
  auto const all = env.snapshots();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].method, SnapshotMethod::copy);
  EXPECT_TRUE(all[0].dax_capable) << "a copy is a DAX-capable device of its own";
  EXPECT_EQ(all[0].state, "active");
  EXPECT_EQ(all[0].operation_id, op.id);
  EXPECT_GE(all[0].frozen_ms, 0);
  EXPECT_GE(all[0].stopped_ms, 0);
  EXPECT_EQ(all[0].store_size, all[0].size) << "the copy uses the volume's size of the store";
  EXPECT_TRUE(env.volumes().at(0).dax_capable);
  expect_at_rest(*env.host);
}

TEST(CreateSnapshot, FirstCowRebuildsTheOriginWithoutDax) {
  SnapshotEnv env("cow-first");
  env.make_mounted_volume();
  env.make_namespace("c", "region1", "32M");
  // A store that held a filesystem: the kernel takes a header that is not zero for an old
  // store (or refuses it) unless daxd zeroes it first.
  auto const namespaces = env.host->nvdimm().list_namespaces();
  ASSERT_TRUE(namespaces);
  auto const store = std::find_if(namespaces->begin(), namespaces->end(),
                                  [](Namespace const& n) { return n.name == "c"; });
  ASSERT_NE(store, namespaces->end());
  ASSERT_TRUE(env.host->filesystems().make_filesystem("/dev/" + store->blockdev, FsType::ext4));
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "before"));
  Operation const op = env.create("n", "cow", "c");
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  EXPECT_TRUE(op.past_commit);
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "after"));
  EXPECT_EQ(env.read(kSnapNode), "before");
  EXPECT_EQ(env.read(kNode), "after");

  auto const s = env.host->state();
  auto const* origin = env.dm(s, "daxd-vol");
  ASSERT_NE(origin, nullptr);
  EXPECT_EQ(origin->table.at(0).type, "snapshot-origin");
  EXPECT_NE(env.dm(s, "daxd-vol+real"), nullptr);
  EXPECT_NE(env.dm(s, "daxd-vol@n+cow"), nullptr);
  auto const* m = env.mount_at(s, kMnt);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->dax, DaxMode::never);
  auto const vol = orchestrator::desired_volume(env.state->desired(), "vol");
  ASSERT_TRUE(vol);
  EXPECT_FALSE(vol->dax_capable) << "the stored volume says DAX is suspended";
  EXPECT_EQ(vol->dax, DaxMode::always) << "the mode asked for is kept for when DAX comes back";
  auto const all = env.snapshots();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].method, SnapshotMethod::cow);
  EXPECT_FALSE(all[0].dax_capable);
  EXPECT_GE(all[0].stopped_ms, 0);
  EXPECT_EQ(all[0].frozen_ms, -1);
  expect_at_rest(*env.host);
}

TEST(CreateSnapshot, FurtherCowOnlySuspendsTheOrigin) {
  SnapshotEnv env("cow-next");
  env.make_mounted_volume();
  env.make_namespace("c", "region1", "32M");
  env.make_namespace("d", "region1", "32M");
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "one"));
  ASSERT_EQ(env.create("n", "cow", "c").state, OperationState::completed);
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "two"));
  // A process on the origin does not stop a further cow snapshot: nothing is unmounted.
  ASSERT_TRUE(env.host->add_process(host::sim::process(5, "app", {host::sim::open_fd("/mnt/vol/data")})));
  nlohmann::json const r = env.create_request("m", "auto", "d");
  EXPECT_EQ(r.at("snapshot").at("method"), "cow");
  EXPECT_TRUE(r.at("cow_stack").get<bool>());
  Operation const op = env.run(kCreateSnapshot, r);
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "three"));
  EXPECT_EQ(env.read(kSnapNode), "one");
  EXPECT_EQ(env.read("/dev/mapper/daxd-vol@m"), "two");
  EXPECT_EQ(env.read(kNode), "three");
  EXPECT_EQ(env.host->state().processes.size(), 1u);
  std::vector<std::string> names;
  for (auto const& step : op.steps) names.push_back(step.name);
  EXPECT_EQ(names, (std::vector<std::string>{"create-cow", "zero-cow", "suspend-origin",
                                             "create-snapshot-dm", "resume-origin",
                                             "record-snapshot"}));
  EXPECT_EQ(env.snapshots().size(), 2u);
  expect_at_rest(*env.host);
}

TEST(CreateSnapshot, IdenticalRequestFindsTheSnapshotAndADifferentOneIsRefused) {
  SnapshotEnv env("idem");
  env.make_mounted_volume();
  env.make_namespace("s", "region1");
  env.make_namespace("t", "region1");
  nlohmann::json const r = env.create_request("n", "copy", "s");
  ASSERT_EQ(env.run(kCreateSnapshot, r).state, OperationState::completed);
  auto same = orchestrator::existing_snapshot(env.state->desired(), env.create_request("n", "copy", "s"));
  ASSERT_TRUE(same) << same.error().message;
  ASSERT_TRUE(same->has_value());
  EXPECT_EQ((*same)->name, "n");
  auto const auto_again = env.normalise({{"name", "n"}, {"method", "auto"}, {"namespaces", {"s"}}});
  ASSERT_TRUE(auto_again);
  EXPECT_TRUE(orchestrator::existing_snapshot(env.state->desired(), *auto_again)->has_value());
  auto other = env.normalise({{"name", "n"}, {"method", "copy"}, {"namespaces", {"t"}}});
  ASSERT_TRUE(other) << other.error().message;
  auto refused = orchestrator::existing_snapshot(env.state->desired(), *other);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::already_exists);
  auto again = env.engine->submit(kCreateSnapshot, r);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::already_exists);
  EXPECT_FALSE(orchestrator::existing_snapshot(
                   env.state->desired(), env.create_request("fresh", "copy", "t"))
                   ->has_value());
}

TEST(CreateSnapshot, MapSyncBlocksACopyNamingThePidButPlainDaxMappingsDoNot) {
  SnapshotEnv env("mapsync");
  env.make_mounted_volume();
  env.make_namespace("s", "region1");
  env.make_namespace("t", "region1");
  ASSERT_TRUE(env.host->write_file(kNode, "/data", "x"));
  ASSERT_TRUE(env.host->add_process(
      host::sim::process(321, "reader", {host::sim::mapping("/mnt/vol/data", false)})));
  ASSERT_EQ(env.create("plain", "copy", "s").state, OperationState::completed)
      << "FIFREEZE write-protects plain DAX mappings";
  ASSERT_TRUE(env.host->add_process(
      host::sim::process(777, "pgwal", {host::sim::mapping("/mnt/vol/data", true)})));
  for (auto const* policy : {"refuse", "wait"}) {
    auto refused = env.engine->submit(
        kCreateSnapshot, env.create_request("n", "copy", "t", {{"policy", policy}}));
    ASSERT_FALSE(refused) << policy;
    EXPECT_EQ(refused.error().code, Errc::busy);
    EXPECT_NE(refused.error().message.find("pid 777 (pgwal)"), std::string::npos)
        << refused.error().message;
    ASSERT_EQ(refused.error().blockers.size(), 1u) << "only the MAP_SYNC user blocks";
  }
  Operation const op =
      env.run(kCreateSnapshot, env.create_request("n", "copy", "t", {{"policy", "terminate"}}));
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  auto const procs = env.host->state().processes;
  ASSERT_EQ(procs.size(), 1u) << "only the MAP_SYNC user was terminated";
  EXPECT_EQ(procs[0].pid, 321);
  expect_at_rest(*env.host);
}

TEST(CreateSnapshot, RefusesBadStores) {
  SnapshotEnv env("stores");
  env.make_mounted_volume();
  env.make_namespace("c", "region1", "32M");
  env.make_namespace("s", "region1");
  auto small = env.normalise({{"name", "n"}, {"method", "copy"}, {"namespaces", {"c"}}});
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().code, Errc::invalid_argument);
  EXPECT_NE(small.error().message.find("store too small"), std::string::npos);
  auto tiny = env.normalise(
      {{"name", "n"}, {"method", "cow"}, {"extents", {{{"namespace", "c"}, {"length", "2M"}}}}});
  ASSERT_FALSE(tiny);
  EXPECT_NE(tiny.error().message.find("store too small"), std::string::npos);
  auto on_volume = env.normalise({{"name", "n"}, {"method", "cow"}, {"namespaces", {"a"}}});
  ASSERT_FALSE(on_volume);
  EXPECT_EQ(on_volume.error().code, Errc::invalid_argument);
  EXPECT_NE(on_volume.error().message.find("volume 'vol'"), std::string::npos);
  ASSERT_EQ(env.create("n", "copy", "s").state, OperationState::completed);
  auto on_snapshot = env.normalise(
      {{"name", "m"}, {"method", "cow"}, {"extents", {{{"namespace", "s"}, {"length", "32M"}}}}});
  ASSERT_FALSE(on_snapshot);
  EXPECT_NE(on_snapshot.error().message.find("snapshot 'n'"), std::string::npos);
  auto bad_name = env.normalise({{"name", "a@b"}, {"namespaces", {"c"}}});
  EXPECT_FALSE(bad_name);
  auto bad_method = env.normalise({{"name", "m"}, {"method", "lvm"}, {"namespaces", {"c"}}});
  EXPECT_FALSE(bad_method);
  auto no_volume = orchestrator::normalise_create_snapshot(*env.host, env.state->desired(), "nope",
                                                           {{"name", "m"}, {"namespaces", {"c"}}});
  ASSERT_FALSE(no_volume);
  EXPECT_EQ(no_volume.error().code, Errc::not_found);
}

TEST(CreateSnapshot, VolumeOperationsRespectSnapshots) {
  SnapshotEnv env("guards");
  env.make_mounted_volume();
  env.make_namespace("c", "region1", "32M");
  ASSERT_EQ(env.create("n", "cow", "c").state, OperationState::completed);
  auto destroy = env.engine->submit(orchestrator::kDestroyVolume, env.destroy());
  ASSERT_FALSE(destroy);
  EXPECT_EQ(destroy.error().code, Errc::conflict);
  EXPECT_NE(destroy.error().message.find("'n'"), std::string::npos) << destroy.error().message;
  auto dax = env.engine->submit(orchestrator::kSetDax, env.set_dax("never"));
  ASSERT_FALSE(dax);
  EXPECT_EQ(dax.error().code, Errc::conflict);
  EXPECT_NE(dax.error().message.find("cow"), std::string::npos) << dax.error().message;
  auto grow_req = orchestrator::normalise_grow_volume(*env.host, env.state->desired(), "vol",
                                                      {{"namespaces", {"c"}}});
  if (grow_req) {
    auto grow = env.engine->submit(orchestrator::kGrowVolume, *grow_req);
    ASSERT_FALSE(grow);
    EXPECT_EQ(grow.error().code, Errc::conflict);
  }
}

TEST(CreateSnapshot, AutoSaysWhyItChose) {
  SnapshotEnv env("auto");
  env.make_mounted_volume();
  env.make_namespace("c", "region1", "32M");
  env.make_namespace("s", "region1");
  auto const copy = env.create_request("n", "auto", "s");
  EXPECT_EQ(copy.at("snapshot").at("method"), "copy");
  EXPECT_EQ(copy.at("method_reason").get<std::string>().rfind("copy:", 0), 0u);
  EXPECT_GT(copy.at("expected_stop_ms").get<std::int64_t>(), 0);
  auto const small = env.create_request("n", "auto", "c");
  EXPECT_EQ(small.at("snapshot").at("method"), "cow");
  EXPECT_NE(small.at("method_reason").get<std::string>().find("cannot hold"), std::string::npos);
  auto const slow = env.create_request("n", "auto", "s", {{"deadline_ms", 1}});
  EXPECT_EQ(slow.at("snapshot").at("method"), "cow");
  EXPECT_NE(slow.at("method_reason").get<std::string>().find("deadline"), std::string::npos);
}

TEST(CreateSnapshot, DryRunShowsStepsAndStopTimeAndChangesNothing) {
  SnapshotEnv env("dry");
  env.make_mounted_volume();
  env.make_namespace("s", "region1");
  auto const before = host::sim::state_to_json(env.host->state());
  auto plan = env.engine->dry_run(kCreateSnapshot, env.create_request("n", "auto", "s"));
  ASSERT_TRUE(plan) << plan.error().message;
  std::string const notes = plan->at("notes").dump();
  EXPECT_NE(notes.find("expected_stop_ms: "), std::string::npos) << notes;
  EXPECT_NE(notes.find("method_reason: copy"), std::string::npos) << notes;
  EXPECT_NE(notes.find("frozen for about"), std::string::npos) << notes;
  EXPECT_EQ(plan->at("steps").size(), 6u) << plan->dump();
  EXPECT_EQ(host::sim::state_to_json(env.host->state()), before);
  EXPECT_TRUE(env.snapshots().empty());
  env.make_namespace("c", "region1", "32M");
  auto cow = env.engine->dry_run(kCreateSnapshot, env.create_request("n", "cow", "c"));
  ASSERT_TRUE(cow) << cow.error().message;
  EXPECT_NE(cow->at("notes").dump().find("DAX is suspended on vol until its last cow snapshot"),
            std::string::npos);
}

}  // namespace
}  // namespace daxd::testing
