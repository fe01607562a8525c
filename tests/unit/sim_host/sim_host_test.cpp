// SPDX-License-Identifier: Apache-2.0
// SimHost itself: fault injection, persistence across instances, never a torn state file,
// consumers and signals.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/unit/sim_host/sim_test_util.h"

namespace daxd::host::sim {
namespace {

using testing::SimTest;
using HostSim = SimTest;

TEST_F(HostSim, ShippedFixtureLoadsAsTwoRegions) {
  auto const copy = testing::temp_state_path();
  std::filesystem::copy_file(DAXD_SIM_FIXTURES "/two-regions.json", copy);
  auto const host = make_sim_host(copy);
  ASSERT_TRUE(host) << host.error().message;
  EXPECT_EQ((*host)->describe(), "sim:" + copy);
  auto const regions = (*host)->nvdimm().list_regions();
  ASSERT_TRUE(regions);
  ASSERT_EQ(regions->size(), 2U);
  EXPECT_EQ(regions->at(1).dev, "region1");
  EXPECT_EQ(regions->at(0).size, 17179869184U);
  EXPECT_EQ(regions->at(0).available_size, 17179869184U);
  EXPECT_TRUE((*host)->nvdimm().list_namespaces()->empty());
}

TEST_F(HostSim, BadStateFilesAreRefused) {
  EXPECT_EQ(SimHost::open("/nonexistent/daxd/host.json").error().code, Errc::not_found);
  auto const path = testing::temp_state_path();
  { std::ofstream(path) << "{\"regions\": [ {\"dev\": "; }
  EXPECT_EQ(SimHost::open(path).error().code, Errc::invalid_argument);
}

TEST_F(HostSim, InjectedFaultFailsTheNextCallsAndChangesNothing) {
  ASSERT_TRUE(host_->inject_fault("nvdimm.create_namespace", ENOSPC, 2));
  auto before = state_to_json(host_->state());
  for (int i = 0; i < 2; ++i) {
    auto const r = host_->nvdimm().create_namespace(
        NamespaceSpec{"region0", "", 512 * kMiB, NamespaceMode::fsdax, std::nullopt});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::no_space);
  }
  auto after = state_to_json(host_->state());
  before.erase("faults");
  after.erase("faults");
  EXPECT_EQ(before, after);
  EXPECT_TRUE(host_->nvdimm().create_namespace(
      NamespaceSpec{"region0", "", 512 * kMiB, NamespaceMode::fsdax, std::nullopt}));
}

TEST_F(HostSim, FaultsCoverDmAndFilesystems) {
  mounted_fsdax("/mnt/db");
  auto const other = create("region1", 512 * kMiB, NamespaceMode::fsdax);
  ASSERT_TRUE(host_->device_mapper().create(
      "v", "", {{0, 1028096, "linear", "/dev/" + other.blockdev + " 0"}}));
  ASSERT_TRUE(host_->inject_fault("fs.freeze", EIO));
  ASSERT_TRUE(host_->inject_fault("dm.suspend", EBUSY));
  EXPECT_EQ(host_->filesystems().freeze("/mnt/db").error().code, Errc::io_error);
  EXPECT_FALSE(host_->state().mounts.front().frozen);
  EXPECT_EQ(host_->device_mapper().suspend("v").error().code, Errc::busy);
  EXPECT_FALSE(host_->state().dm_devices.front().suspended);
  EXPECT_TRUE(host_->filesystems().freeze("/mnt/db"));
  EXPECT_TRUE(host_->device_mapper().suspend("v"));
}

TEST_F(HostSim, ASecondHostOnTheSameFileSeesTheSameKernel) {
  mounted_fsdax("/mnt/db");
  ASSERT_TRUE(host_->write_file("/dev/pmem0", "/etc/motd", "hi"));
  ASSERT_TRUE(host_->filesystems().freeze("/mnt/db"));
  ASSERT_TRUE(host_->device_mapper().create("v", "u1", {{0, 100, "linear", "/dev/loop0 0"}}));
  ASSERT_TRUE(host_->device_mapper().suspend("v"));
  ASSERT_TRUE(host_->add_process(process(3, "cat", {open_fd("/mnt/db/etc/motd")})));
  ASSERT_TRUE(host_->inject_fault("dm.resume", EIO, 1));

  auto second = SimHost::open(path_);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(state_to_json((*second)->state()), state_to_json(host_->state()));
  EXPECT_EQ(*(*second)->nvdimm().list_namespaces(), *host_->nvdimm().list_namespaces());
  EXPECT_EQ(*(*second)->filesystems().list_mounts(), *host_->filesystems().list_mounts());
  EXPECT_EQ(*(*second)->read_file("/dev/pmem0", "/etc/motd"), "hi");
  EXPECT_EQ((*second)->device_mapper().resume("v").error().code, Errc::io_error);

  // The first host re-reads the file on request.
  ASSERT_TRUE((*second)->device_mapper().resume("v"));
  EXPECT_TRUE(host_->state().dm_devices.front().suspended);
  ASSERT_TRUE(host_->reload());
  EXPECT_FALSE(host_->state().dm_devices.front().suspended);
}

// A writer SIGKILLed at random moments never leaves a file that does not parse.
TEST_F(HostSim, KilledWriterNeverLeavesATornFile) {
  mounted_fsdax("/mnt/db");
  for (int round = 0; round < 5; ++round) {
    pid_t const child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto h = SimHost::open(path_);
      if (!h) ::_exit(2);
      std::string const big(4096, 'x');
      for (int i = 1;; ++i) {
        if (!(*h)->write_file("/dev/pmem0", "/f" + std::to_string(i % 50), big + std::to_string(i)))
          ::_exit(3);
      }
    }
    auto const deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(30 + 20 * round);
    int reads = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      auto const s = read_state_file(path_);
      ASSERT_TRUE(s) << s.error().message;
      ++reads;
    }
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFSIGNALED(status)) << "writer stopped on its own: " << status;
    auto const after = SimHost::open(path_);
    ASSERT_TRUE(after) << after.error().message;
    EXPECT_EQ((*after)->state().mounts.size(), 1U);
    EXPECT_GT(reads, 0);
  }
}

TEST_F(HostSim, ConsumersComeFromTheSimulatedProcesses) {
  mounted_fsdax("/mnt/db");
  auto const dax = create("region1", 256 * kMiB, NamespaceMode::devdax);
  ASSERT_TRUE(
      host_->add_process(process(10, "db", {mapping("/mnt/db/heap", true), cwd("/mnt/db")})));
  ASSERT_TRUE(host_->add_process(process(11, "vm", {mapping("/dev/" + dax.chardev, true)})));
  ASSERT_TRUE(host_->add_process(process(12, "shell", {cwd("/root")})));
  EXPECT_EQ(host_->add_process(process(12, "again", {})).error().code, Errc::already_exists);
  EXPECT_EQ(host_->add_process(process(13, "x", {open_fd("/dev/pmem9")})).error().code,
            Errc::not_found);

  ConsumerQuery q;
  q.filesystems = {DevNumber{259, 0}};
  auto const fs = host_->processes().find_consumers(q);
  ASSERT_TRUE(fs);
  ASSERT_EQ(fs->size(), 2U);
  EXPECT_EQ(fs->at(0), (Consumer{ConsumerKind::mapping, 10, "db", "/mnt/db/heap", true, true}));
  EXPECT_EQ(fs->at(1).kind, ConsumerKind::cwd);

  ConsumerQuery d;
  d.devices = {DevNumber{252, 0}};
  auto const dev = host_->processes().find_consumers(d);
  ASSERT_EQ(dev->size(), 1U);
  EXPECT_EQ(dev->front().pid, 11);
  EXPECT_TRUE(dev->front().dax);
}

TEST_F(HostSim, ManyThreadsShareOneHost) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 25; ++i) {
        int const pid = 1000 * (t + 1) + i;
        EXPECT_TRUE(host_->add_process(process(pid, "w", {cwd("/")})));
        EXPECT_TRUE(host_->nvdimm().list_regions());
        if (i % 2 == 0) {
          EXPECT_TRUE(host_->processes().send_signal(pid, SIGKILL));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(host_->state().processes.size(), 4U * 12U);
  auto const reread = read_state_file(path_);
  ASSERT_TRUE(reread);
  EXPECT_EQ(reread->processes.size(), 4U * 12U);
}

TEST_F(HostSim, SignalsEndProcesses) {
  auto p = process(20, "stubborn", {});
  p.ignore_sigterm = true;
  ASSERT_TRUE(host_->add_process(p));
  ASSERT_TRUE(host_->add_process(process(21, "polite", {})));
  ASSERT_TRUE(host_->processes().send_signal(20, SIGTERM));
  ASSERT_TRUE(host_->processes().send_signal(21, SIGTERM));
  ASSERT_EQ(host_->state().processes.size(), 1U);
  ASSERT_TRUE(host_->processes().send_signal(20, SIGKILL));
  EXPECT_TRUE(host_->state().processes.empty());
  EXPECT_EQ(host_->processes().send_signal(20, SIGKILL).error().code, Errc::not_found);
}

}  // namespace
}  // namespace daxd::host::sim
