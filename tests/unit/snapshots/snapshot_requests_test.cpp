// SPDX-License-Identifier: Apache-2.0
// The entry points the API calls besides create: list/get with live fields, and the validation
// of destroy, restore and mount requests.
#include <gtest/gtest.h>

#include "tests/unit/snapshots/snapshot_env.h"

namespace daxd::testing {
namespace {

using orchestrator::kCreateSnapshot;

struct Made {
  explicit Made(std::string const& name) : env(name) {
    env.make_mounted_volume();
    env.make_namespace("c", "region1", "32M");
    env.make_namespace("d", "region1", "32M");
    env.make_namespace("s", "region1");
  }
  SnapshotEnv env;
};

TEST(SnapshotRequests, ListAndGetShowLiveFields) {
  Made m("list");
  auto& env = m.env;
  ASSERT_EQ(env.create("n", "copy", "s").state, OperationState::completed);
  ASSERT_EQ(env.create("k", "cow", "c").state, OperationState::completed);
  auto const all = env.snapshots();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "k");
  EXPECT_FALSE(all[0].dax_capable);
  EXPECT_EQ(all[1].name, "n");
  EXPECT_TRUE(all[1].dax_capable);
  auto one = orchestrator::get_snapshot(*env.host, env.state->desired(), "vol", "n");
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_EQ(one->dm_name, "daxd-vol@n");
  EXPECT_EQ(one->extents.size(), 1u);
  auto none = orchestrator::get_snapshot(*env.host, env.state->desired(), "vol", "zz");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::not_found);
  auto no_vol = orchestrator::list_snapshots(*env.host, env.state->desired(), "zz");
  ASSERT_FALSE(no_vol);
  EXPECT_EQ(no_vol.error().code, Errc::not_found);
  // A snapshot whose device is gone (a reboot before reconcile) is reported failed.
  ASSERT_TRUE(env.host->device_mapper().remove("daxd-vol@n"));
  auto gone = orchestrator::get_snapshot(*env.host, env.state->desired(), "vol", "n");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->state, "failed");
  EXPECT_FALSE(gone->dax_capable);
}

TEST(SnapshotRequests, DestroyRestoreAndMountAreValidated) {
  Made m("validate");
  auto& env = m.env;
  ASSERT_EQ(env.create("n", "cow", "c").state, OperationState::completed);
  ASSERT_EQ(env.create("k", "cow", "d").state, OperationState::completed);
  auto& desired = env.state->desired();
  auto destroy = orchestrator::normalise_destroy_snapshot(desired, "vol", "n", nullptr);
  ASSERT_TRUE(destroy) << destroy.error().message;
  EXPECT_EQ(destroy->at("policy"), "refuse");
  EXPECT_EQ(destroy->at("snapshot").at("name"), "n");
  EXPECT_EQ(destroy->at("volume").at("dax_capable"), false);
  ASSERT_EQ(destroy->at("others").size(), 1u);
  EXPECT_EQ(destroy->at("others")[0].at("name"), "k");
  EXPECT_FALSE(orchestrator::normalise_destroy_snapshot(desired, "vol", "n", {{"policy", "x"}}));
  auto missing = orchestrator::normalise_destroy_snapshot(desired, "vol", "zz", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);

  auto restore = orchestrator::normalise_restore_snapshot(desired, "vol", "n", {});
  ASSERT_FALSE(restore) << "a merge would rewrite the origin under 'k'";
  EXPECT_EQ(restore.error().code, Errc::conflict);
  EXPECT_NE(restore.error().message.find("'k'"), std::string::npos) << restore.error().message;

  auto mount = orchestrator::normalise_mount_snapshot(desired, "vol", "n", {{"mountpoint", "/mnt/n"}});
  ASSERT_TRUE(mount) << mount.error().message;
  EXPECT_EQ(mount->at("mountpoint"), "/mnt/n");
  auto unmount = orchestrator::normalise_mount_snapshot(desired, "vol", "n", {{"mountpoint", ""}});
  ASSERT_TRUE(unmount);
  EXPECT_EQ(unmount->at("mountpoint"), "");
  EXPECT_FALSE(orchestrator::normalise_mount_snapshot(desired, "vol", "n", nlohmann::json::object()));
  EXPECT_FALSE(orchestrator::normalise_mount_snapshot(desired, "vol", "n", {{"mountpoint", "rel"}}));
  EXPECT_FALSE(orchestrator::normalise_mount_snapshot(desired, "vol", "n", {{"mountpoint", kMnt}}));
}

TEST(SnapshotRequests, RestoreOfTheOnlyCowSnapshotIsAccepted) {
  Made m("restore");
  auto& env = m.env;
  ASSERT_EQ(env.create("n", "cow", "c").state, OperationState::completed);
  ASSERT_EQ(env.create("copy", "copy", "s").state, OperationState::completed);
  auto restore = orchestrator::normalise_restore_snapshot(env.state->desired(), "vol", "n",
                                                          {{"policy", "wait"}, {"deadline_ms", 100}});
  ASSERT_TRUE(restore) << restore.error().message;
  EXPECT_EQ(restore->at("deadline_ms"), 100);
}

TEST(SnapshotRequests, CreateChecksTheVolumeIsMounted) {
  Made m("unmounted");
  auto& env = m.env;
  ASSERT_TRUE(env.host->filesystems().unmount(kMnt));
  auto r = env.normalise({{"name", "n"}, {"namespaces", {"s"}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::conflict);
}

TEST(SnapshotRequests, ACowStackChangedSinceTheRequestIsAConflict) {
  Made m("stale");
  auto& env = m.env;
  nlohmann::json const first = env.create_request("n", "cow", "c");
  nlohmann::json const second = env.create_request("k", "cow", "d");  // made before n exists
  ASSERT_EQ(env.run(kCreateSnapshot, first).state, OperationState::completed);
  auto stale = env.engine->submit(kCreateSnapshot, second);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Errc::conflict);
}

}  // namespace
}  // namespace daxd::testing
