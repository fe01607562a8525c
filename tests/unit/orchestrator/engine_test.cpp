// SPDX-License-Identifier: Apache-2.0
// The transition engine on the sim host: namespace lifecycle, idempotency, refusals, faults.
#include <csignal>

#include <gtest/gtest.h>

#include "daemon/orchestrator/consumers.h"
#include "tests/unit/orchestrator/engine_env.h"

namespace daxd::testing {
namespace {

using orchestrator::kCreateNamespace;
using orchestrator::kDestroyNamespace;
using orchestrator::kReconfigureNamespace;

TEST(Engine, CreatesANamespaceAndJournalsEveryStep) {
  EngineEnv env("create");
  Operation const op = env.run(kCreateNamespace, create_request("db"));
  EXPECT_EQ(op.state, OperationState::completed) << op.error;
  ASSERT_EQ(op.steps.size(), 1u);
  EXPECT_EQ(op.steps[0].state, StepState::done);
  EXPECT_TRUE(op.past_commit);
  auto const all = env.namespaces();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].name, "db");
  EXPECT_EQ(all[0].mode, NamespaceMode::fsdax);
  // Every state change was published: pending, running, step done, completed at least.
  EXPECT_GE(env.sink.snapshot().size(), 3u);
}

TEST(Engine, CreateIsIdempotentByNameAndRefusesADifferentSpec) {
  EngineEnv env("idem");
  ASSERT_EQ(env.run(kCreateNamespace, create_request("db")).state, OperationState::completed);
  auto same = orchestrator::existing_namespace(*env.host, create_request("db"));
  ASSERT_TRUE(same);
  ASSERT_TRUE(same->has_value());
  EXPECT_EQ((*same)->name, "db");
  auto other = orchestrator::existing_namespace(*env.host, create_request("db", "512M"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, Errc::already_exists);
  // Running the same operation again changes nothing and says so.
  Operation const again = env.run(kCreateNamespace, create_request("db"));
  EXPECT_EQ(again.state, OperationState::completed);
  EXPECT_EQ(env.namespaces().size(), 1u);
}

TEST(Engine, RejectsBadRequestsBeforeTouchingAnything) {
  for (auto const& body :
       {nlohmann::json{{"name", "../x"}, {"region", "region0"}, {"size", "1G"}},
        nlohmann::json{{"name", "db"}, {"region", "r0"}, {"size", "1G"}},
        nlohmann::json{{"name", "db"}, {"region", "region0"}, {"size", "1Q"}},
        nlohmann::json{{"name", "db"}, {"region", "region0"}},
        nlohmann::json{{"name", "db"}, {"region", "region0"}, {"size", "1G"}, {"mode", "weird"}},
        nlohmann::json::array()}) {
    auto r = orchestrator::normalise_create_namespace(body);
    ASSERT_FALSE(r) << body.dump();
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
  }
}

TEST(Engine, FaultsInAStepRollBackAndReportTheError) {
  for (int const err : {EBUSY, EIO, ENOSPC}) {
    EngineEnv env("fault" + std::to_string(err));
    ASSERT_TRUE(env.host->inject_fault("nvdimm.create_namespace", err));
    Operation const op = env.run(kCreateNamespace, create_request("db"));
    EXPECT_EQ(op.state, OperationState::rolled_back) << err;
    EXPECT_NE(op.error.find("injected fault"), std::string::npos) << op.error;
    EXPECT_TRUE(env.namespaces().empty()) << "original state must come back";
  }
}

TEST(Engine, DestroyIsRefusedWhileAProcessHoldsTheDeviceAndNamesIt) {
  EngineEnv env("busy");
  ASSERT_EQ(env.run(kCreateNamespace, create_request("db")).state, OperationState::completed);
  Namespace const ns = env.namespaces().at(0);
  host::sim::SimProcess p;
  p.pid = 4242;
  p.command = "postgres";
  host::sim::SimUse use;
  use.kind = ConsumerKind::fd;
  use.path = "/dev/" + ns.blockdev;
  p.uses.push_back(use);
  ASSERT_TRUE(env.host->add_process(p));
  auto const req = orchestrator::normalise_namespace_change(*env.host, kDestroyNamespace, "db", {});
  ASSERT_TRUE(req);
  auto const sub = env.engine->submit(kDestroyNamespace, *req);
  ASSERT_FALSE(sub);
  EXPECT_EQ(sub.error().code, Errc::busy);
  ASSERT_FALSE(sub.error().blockers.empty());
  EXPECT_EQ(sub.error().blockers[0].pid, 4242);
  EXPECT_EQ(sub.error().blockers[0].command, "postgres");
  EXPECT_NE(sub.error().message.find("pid 4242 (postgres)"), std::string::npos);
  EXPECT_EQ(env.namespaces().size(), 1u);

  // policy=terminate signals the holder; the destroy then goes through.
  auto const terminate = orchestrator::normalise_namespace_change(*env.host, kDestroyNamespace,
                                                                  "db", {{"policy", "terminate"}});
  ASSERT_TRUE(terminate);
  EXPECT_EQ(env.run(kDestroyNamespace, *terminate).state, OperationState::completed);
  EXPECT_TRUE(env.namespaces().empty());
}

TEST(Engine, DestroyAndReconfigureOfAMountedNamespaceAreRefused) {
  EngineEnv env("mounted");
  ASSERT_EQ(env.run(kCreateNamespace, create_request("db")).state, OperationState::completed);
  Namespace const ns = env.namespaces().at(0);
  ASSERT_TRUE(env.host->filesystems().make_filesystem("/dev/" + ns.blockdev, FsType::ext4));
  ASSERT_TRUE(env.host->filesystems().mount("/dev/" + ns.blockdev, "/mnt/db", FsType::ext4,
                                            DaxMode::always));
  for (auto const* type : {kDestroyNamespace, kReconfigureNamespace}) {
    auto const req = orchestrator::normalise_namespace_change(
        *env.host, type, "db", {{"mode", "devdax"}, {"force", true}});
    ASSERT_TRUE(req);
    auto const sub = env.engine->submit(type, *req);
    ASSERT_FALSE(sub);
    EXPECT_EQ(sub.error().code, Errc::busy);
    ASSERT_FALSE(sub.error().blockers.empty());
    EXPECT_EQ(sub.error().blockers[0].kind, ConsumerKind::mount);
    EXPECT_EQ(sub.error().blockers[0].path, "/mnt/db");
  }
}

TEST(Engine, ReconfigureNeedsForceOverAFilesystemAndKeepsTheName) {
  EngineEnv env("reconf");
  ASSERT_EQ(env.run(kCreateNamespace, create_request("db")).state, OperationState::completed);
  Namespace const ns = env.namespaces().at(0);
  ASSERT_TRUE(env.host->filesystems().make_filesystem("/dev/" + ns.blockdev, FsType::ext4));
  auto req = orchestrator::normalise_namespace_change(*env.host, kReconfigureNamespace, "db",
                                                      {{"mode", "devdax"}});
  ASSERT_TRUE(req);
  auto const refused = env.engine->submit(kReconfigureNamespace, *req);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::conflict);
  EXPECT_NE(refused.error().message.find("ext4"), std::string::npos);

  (*req)["force"] = true;
  EXPECT_EQ(env.run(kReconfigureNamespace, *req).state, OperationState::completed);
  Namespace const after = env.namespaces().at(0);
  EXPECT_EQ(after.name, "db");
  EXPECT_EQ(after.mode, NamespaceMode::devdax);
  EXPECT_FALSE(after.chardev.empty());
}

TEST(Engine, DryRunShowsThePlanAndChangesNothing) {
  EngineEnv env("dry");
  auto plan = env.engine->dry_run(kCreateNamespace, create_request("db"));
  ASSERT_TRUE(plan);
  EXPECT_EQ((*plan)["type"], kCreateNamespace);
  EXPECT_EQ((*plan)["steps"].size(), 1u);
  EXPECT_TRUE(env.namespaces().empty());
  auto ops = env.engine->list(10, 0);
  ASSERT_TRUE(ops);
  EXPECT_TRUE(ops->empty());
}

TEST(ResourceLocks, ASecondOperationOnTheSameResourceConflicts) {
  orchestrator::ResourceLocks locks;
  ASSERT_TRUE(locks.acquire({"namespace/db", "region/region0"}, 1));
  auto const second = locks.acquire({"namespace/other", "region/region0"}, 2);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::conflict);
  EXPECT_EQ(locks.holder("namespace/other"), 0) << "a refused acquire holds nothing";
  EXPECT_TRUE(locks.acquire({"namespace/x", "region/region1"}, 3));
  locks.release(1);
  EXPECT_TRUE(locks.acquire({"namespace/other", "region/region0"}, 2));
}

}  // namespace
}  // namespace daxd::testing
