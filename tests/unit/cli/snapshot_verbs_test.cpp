// SPDX-License-Identifier: Apache-2.0
// The snapshot verbs against a scripted daxd: the requests they send, what they print on stdout
// and stderr, and their exit codes; `list -VS` with snapshots as daxd serves them.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "tests/unit/cli/daxadm_run.h"
#include "tests/unit/cli/fake_daxd.h"

namespace daxd::cli {
namespace {

using nlohmann::json;
using testing::daxadm;
using testing::FakeDaxd;
using testing::Outcome;
using testing::json_reply;

// As daemon/model/json.cpp writes a snapshot (keys sorted, as nlohmann serves them).
constexpr char kSnapshot[] =
    R"({"created_at":1764050000,"dax_capable":true,"dm_name":"daxd-db@n1",)"
    R"("extents":[{"length":268435456,"namespace":"s","offset":0}],"frozen_ms":12,)"
    R"("method":"copy","name":"n1","operation":9,"size":268435456,"state":"active",)"
    R"("stopped_ms":40,"store_size":268435456,"volume":"db"})";
constexpr char kSnapshotOut[] =
    "{\n  \"name\":\"n1\",\n  \"volume\":\"db\",\n  \"method\":\"copy\",\n"
    "  \"size\":268435456,\n  \"created_at\":1764050000,\n  \"dax_capable\":true,\n"
    "  \"dm_name\":\"daxd-db@n1\",\n  \"extents\":[\n    {\n      \"namespace\":\"s\",\n"
    "      \"offset\":0,\n      \"length\":268435456\n    }\n  ],\n"
    "  \"store_size\":268435456,\n  \"operation\":9,\n  \"stopped_ms\":40,\n"
    "  \"frozen_ms\":12,\n  \"state\":\"active\"\n}\n";
constexpr char kVolume[] =
    R"({"dax":"always","dax_capable":true,"dm_name":"daxd-db","extents":[],"filesystem":"ext4",)"
    R"("layout":"linear","mountpoint":"/mnt/db","name":"db","size":268435456,"state":"active"})";

std::string op(char const* type, char const* state) {
  return std::string(R"({"type":")") + type + R"(","target":"snapshot/db@n1","id":9,"state":")" +
         state + R"(","steps":[]})";
}

std::string answer(char const* type, bool changed, char const* key, char const* object) {
  std::string out = std::string(R"({"changed":)") + (changed ? "true" : "false");
  if (changed) out += std::string(R"(,"operation":)") + op(type, "completed");
  if (key != nullptr) out += std::string(",\"") + key + "\":" + object;
  return out + "}";
}

TEST(CreateSnapshot, SendsTheStoreAndPrintsTheSnapshot) {
  FakeDaxd fake({json_reply(201, answer("create-snapshot", true, "snapshot", kSnapshot))});
  Outcome const r =
      daxadm(fake, {"create-snapshot", "db", "n1", "-m", "copy", "-n", "s", "--policy", "wait",
                    "--deadline-ms", "2500", "--mountpoint", "/mnt/snap"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kSnapshotOut);
  EXPECT_EQ(r.err, "created 1 snapshot\n");
  ASSERT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(fake.requests()[0].request_line(), "POST /v1/volumes/db/snapshots?wait=300 HTTP/1.1");
  EXPECT_EQ(json::parse(fake.requests()[0].body),
            json::parse(R"({"name":"n1","method":"copy","namespaces":["s"],
                            "mountpoint":"/mnt/snap","policy":"wait","deadline_ms":2500})"));
}

TEST(CreateSnapshot, ExtentsMayLeaveOutOffsetAndSize) {
  FakeDaxd fake({json_reply(200, answer("create-snapshot", false, "snapshot", kSnapshot))});
  Outcome const r = daxadm(fake, {"create-snapshot", "db", "n1", "-n", "a", "--extent", "s",
                                  "--extent", "t:2M", "--extent", "u:4M:16M", "--wait", "7"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "snapshot db@n1 already exists, unchanged\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "POST /v1/volumes/db/snapshots?wait=7 HTTP/1.1");
  EXPECT_EQ(json::parse(fake.requests()[0].body),
            json::parse(R"({"name":"n1","extents":["a",{"namespace":"s"},
                            {"namespace":"t","offset":2097152},
                            {"namespace":"u","offset":4194304,"length":16777216}]})"));
}

TEST(CreateSnapshot, DryRunSaysWhichMethodAndWhy) {
  FakeDaxd fake({json_reply(200, R"({"dry_run":true,"changed":false,"method":"cow",)"
                                 R"("method_reason":"the store is smaller than the volume",)"
                                 R"("expected_stop_ms":1500,"plan":{"notes":[],"steps":[],)"
                                 R"("target":"snapshot/db@n1","type":"create-snapshot"}})")});
  Outcome const r = daxadm(fake, {"create-snapshot", "db", "n1", "-n", "s", "--dry-run"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err,
            "would create 1 snapshot\nmethod cow: the store is smaller than the volume\n"
            "expected stop 1500 ms\n");
  EXPECT_EQ(r.out.rfind("{\n  \"type\":\"create-snapshot\",", 0), 0u) << r.out;
  EXPECT_EQ(fake.requests()[0].request_line(),
            "POST /v1/volumes/db/snapshots?dry_run=true HTTP/1.1");
}

TEST(CreateSnapshot, UnfinishedOperationIsAFailureUnlessNoWait) {
  std::string const running =
      R"({"changed":true,"operation":)" + op("create-snapshot", "running") + "}";
  FakeDaxd fake({json_reply(202, running), json_reply(202, running)});
  Outcome const waited = daxadm(fake, {"create-snapshot", "db", "n1", "-n", "s", "--wait", "1"});
  EXPECT_EQ(waited.code, 1);
  EXPECT_NE(waited.err.find("daxadm wait 9"), std::string::npos) << waited.err;
  Outcome const detached = daxadm(fake, {"create-snapshot", "db", "n1", "-n", "s", "--no-wait"});
  EXPECT_EQ(detached.code, 0) << detached.err;
  EXPECT_EQ(detached.err, "submitted operation 9 (daxadm wait 9)\n");
}

TEST(CreateSnapshot, ConflictExitsOneAndUsageErrorsTwo) {
  FakeDaxd fake(
      {json_reply(409,
                  R"({"type":"urn:daxd:problem:already_exists","status":409,)"
                  R"("detail":"snapshot 'n1' of volume 'db' exists with a different spec"})",
                  "application/problem+json")});
  Outcome const r = daxadm(fake, {"create-snapshot", "db", "n1", "-n", "t"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "daxadm: snapshot 'n1' of volume 'db' exists with a different spec\n");
  FakeDaxd none({});
  for (auto const& args : std::vector<std::vector<std::string>>{
           {"create-snapshot", "db", "n1"},
           {"create-snapshot", "db", "-n", "s"},
           {"create-snapshot", "db", "n1", "-n", "s", "-m", "lvm"},
           {"create-snapshot", "db", "n1", "--extent", "s:1Q"},
           {"create-snapshot", "db", "n1", "--extent", ":2M"},
           {"create-snapshot", "db", "n1", "--extent", "s:0:1M:2"},
           {"create-snapshot", "db", "n1", "-n", "s", "--deadline", "1", "--deadline-ms", "5"},
           {"create-snapshot", "db", "n1", "-n", "s", "--deadline-ms", "600001"},
           {"create-snapshot", "db", "n1", "-n", "s", "--policy", "kill"}}) {
    EXPECT_EQ(daxadm(none, args).code, 2) << args.back();
  }
  EXPECT_TRUE(none.requests().empty());
}

TEST(DestroySnapshot, SendsPolicyAndDeadline) {
  FakeDaxd fake({json_reply(200, answer("destroy-snapshot", true, nullptr, nullptr))});
  Outcome const r = daxadm(fake, {"destroy-snapshot", "db", "n1", "--policy", "terminate",
                                  "--deadline", "2.5", "--wait", "9"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "destroyed 1 snapshot\n");
  EXPECT_EQ(fake.requests()[0].request_line(),
            "DELETE /v1/volumes/db/snapshots/n1?wait=9 HTTP/1.1");
  EXPECT_EQ(json::parse(fake.requests()[0].body),
            json::parse(R"({"policy":"terminate","deadline_ms":2500})"));
}

TEST(DestroySnapshot, DryRunAndNotFound) {
  FakeDaxd fake({json_reply(200, R"({"dry_run":true,"changed":false,"plan":{"notes":[],)"
                                 R"("steps":[],"target":"snapshot/db@n1",)"
                                 R"("type":"destroy-snapshot"}})"),
                 json_reply(404,
                            R"({"type":"urn:daxd:problem:not_found","status":404,)"
                            R"("detail":"volume db: no snapshot 'n2'"})",
                            "application/problem+json")});
  Outcome const plan = daxadm(fake, {"destroy-snapshot", "db", "n1", "--dry-run"});
  EXPECT_EQ(plan.code, 0) << plan.err;
  EXPECT_EQ(plan.err, "would destroy 1 snapshot\n");
  EXPECT_EQ(fake.requests()[0].request_line(),
            "DELETE /v1/volumes/db/snapshots/n1?dry_run=true HTTP/1.1");
  EXPECT_EQ(fake.requests()[0].body, "");
  Outcome const gone = daxadm(fake, {"destroy-snapshot", "db", "n2"});
  EXPECT_EQ(gone.code, 1);
  EXPECT_EQ(gone.err, "daxadm: volume db: no snapshot 'n2'\n");
}

TEST(RestoreSnapshot, PostsAndPrintsTheVolume) {
  FakeDaxd fake({json_reply(200, answer("restore-snapshot", true, "volume", kVolume))});
  Outcome const r = daxadm(fake, {"restore-snapshot", "db", "n1", "--deadline-ms", "100"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("name"), "db");
  EXPECT_EQ(r.err, "restored 1 snapshot\n");
  EXPECT_EQ(fake.requests()[0].request_line(),
            "POST /v1/volumes/db/snapshots/n1/restore?wait=300 HTTP/1.1");
  EXPECT_EQ(json::parse(fake.requests()[0].body), json::parse(R"({"deadline_ms":100})"));
}

TEST(MountSnapshot, MountAndUnmountPatchTheMountpoint) {
  FakeDaxd fake({json_reply(200, answer("mount-snapshot", true, "snapshot", kSnapshot)),
                 json_reply(200, answer("mount-snapshot", false, "snapshot", kSnapshot)),
                 json_reply(200, answer("mount-snapshot", true, "snapshot", kSnapshot))});
  Outcome const m = daxadm(fake, {"mount-snapshot", "db", "n1", "/mnt/snap"});
  EXPECT_EQ(m.code, 0) << m.err;
  EXPECT_EQ(m.out, kSnapshotOut);
  EXPECT_EQ(m.err, "mounted 1 snapshot\n");
  EXPECT_EQ(fake.requests()[0].request_line(),
            "PATCH /v1/volumes/db/snapshots/n1?wait=300 HTTP/1.1");
  EXPECT_EQ(json::parse(fake.requests()[0].body), json::parse(R"({"mountpoint":"/mnt/snap"})"));
  Outcome const again = daxadm(fake, {"mount-snapshot", "db", "n1", "/mnt/snap"});
  EXPECT_EQ(again.err, "snapshot db@n1 already mounted at /mnt/snap, unchanged\n");
  Outcome const u = daxadm(fake, {"unmount-snapshot", "db", "n1"});
  EXPECT_EQ(u.code, 0) << u.err;
  EXPECT_EQ(u.err, "unmounted 1 snapshot\n");
  EXPECT_EQ(json::parse(fake.requests()[2].body), json::parse(R"({"mountpoint":""})"));
  FakeDaxd none({});
  EXPECT_EQ(daxadm(none, {"mount-snapshot", "db", "n1"}).code, 2);
  EXPECT_EQ(daxadm(none, {"mount-snapshot", "db", "n1", ""}).code, 2);
  EXPECT_EQ(daxadm(none, {"unmount-snapshot", "db"}).code, 2);
}

TEST(ListSnapshots, NestsThemInTheirVolumeAndShowsTheTable) {
  std::string const volumes = std::string("[") + kVolume + "]";
  std::string const snapshots = std::string("[") + kSnapshot + "]";
  FakeDaxd fake({json_reply(200, volumes), json_reply(200, snapshots), json_reply(200, volumes),
                 json_reply(200, snapshots)});
  Outcome const r = daxadm(fake, {"list", "-VS"});
  EXPECT_EQ(r.code, 0) << r.err;
  json const tree = json::parse(r.out);
  EXPECT_TRUE(tree.contains("volumes")) << "two kinds: ndctl's platform object: " << r.out;
  auto const nested = tree.value("volumes", json::array({json::object()}))
                          .at(0)
                          .value("snapshots", json::array({json::object()}))
                          .at(0);
  EXPECT_EQ(nested.value("name", ""), "n1");
  EXPECT_FALSE(nested.contains("volume")) << "nested under its volume";
  EXPECT_EQ(nested.value("stopped_ms", 0), 40);
  EXPECT_EQ(fake.requests()[1].request_line(), "GET /v1/volumes/db/snapshots HTTP/1.1");

  Outcome const table = daxadm(fake, {"--human", "list", "-S"});
  EXPECT_EQ(table.code, 0) << table.err;
  for (char const* cell :
       {"SNAPSHOT", "METHOD", "DAX", "STOPPED_MS", "FROZEN_MS", "n1", "copy", "true", "40", "12"}) {
    EXPECT_NE(table.out.find(cell), std::string::npos) << cell << " in\n" << table.out;
  }
}

}  // namespace
}  // namespace daxd::cli
