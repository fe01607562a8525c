// SPDX-License-Identifier: Apache-2.0
// The volume verbs against a scripted daxd: argument parsing, the requests they send, what they
// print on stdout and stderr, and their exit codes.
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

constexpr char kVolume[] =
    R"({"dax":"always","dax_capable":true,"dm_name":"daxd-db","blockdev":"dm-0",)"
    R"("extents":[{"length":268435456,"namespace":"a","offset":0}],"filesystem":"ext4",)"
    R"("layout":"linear","mountpoint":"/mnt/db","name":"db","size":268435456,"state":"active"})";
constexpr char kVolumeOut[] =
    "{\n  \"name\":\"db\",\n  \"layout\":\"linear\",\n  \"size\":268435456,\n"
    "  \"extents\":[\n    {\n      \"namespace\":\"a\",\n      \"offset\":0,\n"
    "      \"length\":268435456\n    }\n  ],\n  \"filesystem\":\"ext4\",\n"
    "  \"mountpoint\":\"\\/mnt\\/db\",\n  \"dax\":\"always\",\n  \"state\":\"active\",\n"
    "  \"dm_name\":\"daxd-db\",\n  \"blockdev\":\"dm-0\",\n  \"dax_capable\":true\n}\n";

std::string op(char const* type, char const* state) {
  return std::string(R"({"type":")") + type + R"(","target":"volume/db","id":7,"state":")" +
         state + R"(","steps":[]})";
}

std::string completed(char const* type, bool changed = true) {
  return std::string(R"({"changed":)") + (changed ? "true" : "false") + R"(,"operation":)" +
         op(type, "completed") + R"(,"volume":)" + kVolume + "}";
}

TEST(CreateVolume, SendsTheSpecAndPrintsTheVolume) {
  FakeDaxd fake({json_reply(201, completed("create-volume"))});
  Outcome const r = daxadm(fake, {"create-volume", "db", "-n", "a", "-n", "b", "--striped",
                                  "--stripe-size", "4M", "-s", "128M", "-t", "xfs", "-m",
                                  "/mnt/db", "--dax", "inode"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kVolumeOut);
  EXPECT_EQ(r.err, "created volume db\n");
  ASSERT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(fake.requests()[0].request_line(), "POST /v1/volumes?wait=300 HTTP/1.1");
  EXPECT_EQ(json::parse(fake.requests()[0].body),
            json::parse(R"({"name":"db","layout":"striped","namespaces":["a","b"],
                            "stripe_size":4194304,"size":134217728,"filesystem":"xfs",
                            "mountpoint":"/mnt/db","dax":"inode"})"));
}

TEST(CreateVolume, ExtentsFollowWholeNamespaces) {
  FakeDaxd fake({json_reply(200, completed("create-volume", false))});
  Outcome const r =
      daxadm(fake, {"create-volume", "db", "-n", "a", "--extent", "b:2M:64M", "--no-wait"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "volume db already exists, unchanged\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "POST /v1/volumes?wait=0 HTTP/1.1");
  EXPECT_EQ(json::parse(fake.requests()[0].body),
            json::parse(R"({"name":"db","layout":"linear","extents":["a",
                            {"namespace":"b","offset":2097152,"length":67108864}]})"));
}

TEST(CreateVolume, DryRunPrintsThePlan) {
  FakeDaxd fake({json_reply(200, R"({"dry_run":true,"changed":false,"plan":{"notes":[],)"
                                 R"("steps":[],"target":"volume/db","type":"create-volume"}})")});
  Outcome const r = daxadm(fake, {"create-volume", "db", "-n", "a", "--dry-run"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "would create volume db\n");
  EXPECT_EQ(r.out.rfind("{\n  \"type\":\"create-volume\",", 0), 0u) << r.out;
  EXPECT_EQ(fake.requests()[0].request_line(), "POST /v1/volumes?dry_run=true HTTP/1.1");
}

TEST(CreateVolume, UsageErrorsExitTwoWithoutAsking) {
  FakeDaxd fake({});
  for (auto const& args : std::vector<std::vector<std::string>>{
           {"create-volume", "db"},
           {"create-volume", "-n", "a"},
           {"create-volume", "db", "--extent", "a:0"},
           {"create-volume", "db", "--extent", "a:x:1G"},
           {"create-volume", "db", "-n", "a", "-s", "1Q"},
           {"create-volume", "db", "-n", "a", "--stripe-size", "2M"},
           {"create-volume", "db", "-n", "a", "-t", "btrfs"},
           {"create-volume", "db", "-n", "a", "--dax", "sometimes"}}) {
    EXPECT_EQ(daxadm(fake, args).code, 2) << args.back();
  }
  EXPECT_TRUE(fake.requests().empty());
}

TEST(DestroyVolume, SendsPolicyAndDeadline) {
  FakeDaxd fake({json_reply(200, R"({"changed":true,"operation":)" +
                                     op("destroy-volume", "completed") + "}")});
  Outcome const r = daxadm(
      fake, {"destroy-volume", "db", "--policy", "terminate", "--deadline", "2.5", "--wait", "9"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "destroyed volume db\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "DELETE /v1/volumes/db?wait=9 HTTP/1.1");
  EXPECT_EQ(json::parse(fake.requests()[0].body),
            json::parse(R"({"policy":"terminate","deadline_ms":2500})"));
}

TEST(DestroyVolume, RefusalNamesTheBlockersAndExitsOne) {
  FakeDaxd fake({json_reply(409,
                            R"({"type":"urn:daxd:problem:busy","status":409,)"
                            R"("detail":"volume 'db': cannot destroy it: in use by pid 31",)"
                            R"("blockers":[{"kind":"fd","pid":31,"command":"reader",)"
                            R"("path":"/mnt/db/f"}]})",
                            "application/problem+json")});
  Outcome const r = daxadm(fake, {"destroy-volume", "db"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "daxadm: volume 'db': cannot destroy it: in use by pid 31\n"
            "  blocked by pid 31 (reader): fd /mnt/db/f\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "DELETE /v1/volumes/db?wait=300 HTTP/1.1");
  EXPECT_EQ(fake.requests()[0].body, "");
  FakeDaxd none({});
  EXPECT_EQ(daxadm(none, {"destroy-volume", "db", "--policy", "kill"}).code, 2);
  EXPECT_EQ(daxadm(none, {"destroy-volume", "db", "--deadline", "601"}).code, 2);
}

TEST(GrowVolume, PostsTheNamespaces) {
  FakeDaxd fake({json_reply(200, completed("grow-volume"))});
  Outcome const r = daxadm(fake, {"grow-volume", "db", "-n", "b", "-n", "c"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kVolumeOut);
  EXPECT_EQ(r.err, "grew volume db (the filesystem is not grown)\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "POST /v1/volumes/db/grow?wait=300 HTTP/1.1");
  EXPECT_EQ(json::parse(fake.requests()[0].body), json::parse(R"({"namespaces":["b","c"]})"));
  FakeDaxd none({});
  EXPECT_EQ(daxadm(none, {"grow-volume", "db"}).code, 2);
}

TEST(SetDax, ModeChangeAndUnchanged) {
  FakeDaxd fake({json_reply(200, completed("set-dax")), json_reply(200, completed("set-dax", false))});
  Outcome const r = daxadm(fake, {"set-dax", "db", "never", "--policy", "wait"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kVolumeOut);
  EXPECT_EQ(r.err, "volume db now has dax=never\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "PATCH /v1/volumes/db?wait=300 HTTP/1.1");
  EXPECT_EQ(json::parse(fake.requests()[0].body),
            json::parse(R"({"dax":"never","policy":"wait"})"));
  Outcome const same = daxadm(fake, {"set-dax", "db", "always"});
  EXPECT_EQ(same.code, 0) << same.err;
  EXPECT_EQ(same.err, "volume db already has dax=always, unchanged\n");
}

TEST(SetDax, FileFlagCallsTheFilesRoute) {
  FakeDaxd fake({json_reply(200, R"({"changed":true,"operation":)" +
                                     op("set-file-dax", "completed") +
                                     R"(,"file":{"effective_dax":true,"dax_flag":true,)"
                                     R"("path":"/mnt/db/t","volume":"db"}})")});
  Outcome const r = daxadm(fake, {"set-dax", "db", "--file", "t", "on", "--dry-run"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\n  \"volume\":\"db\",\n  \"path\":\"\\/mnt\\/db\\/t\",\n  \"dax_flag\":true,\n"
            "  \"effective_dax\":true\n}\n");
  EXPECT_EQ(r.err, "set dax on for t\n");
  EXPECT_EQ(fake.requests()[0].request_line(),
            "PATCH /v1/volumes/db/files?dry_run=true HTTP/1.1");
  EXPECT_EQ(json::parse(fake.requests()[0].body), json::parse(R"({"path":"t","dax":true})"));
}

TEST(SetDax, BadValuesAreUsageErrors) {
  FakeDaxd fake({});
  EXPECT_EQ(daxadm(fake, {"set-dax", "db", "on"}).code, 2);
  EXPECT_EQ(daxadm(fake, {"set-dax", "db", "--file", "/mnt/db/x", "always"}).code, 2);
  EXPECT_EQ(daxadm(fake, {"set-dax", "db"}).code, 2);
  EXPECT_TRUE(fake.requests().empty());
}

TEST(Consumers, OfAVolumeAndOfANamespace) {
  FakeDaxd fake({json_reply(200, R"({"volume":"db","consumers":[{"path":"/mnt/db/wal",)"
                                 R"("map_sync":true,"command":"pg","pid":7,"kind":"mapping"}]})"),
                 json_reply(200, R"([])")});
  Outcome const r = daxadm(fake, {"consumers", "db"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "[\n  {\n    \"kind\":\"mapping\",\n    \"pid\":7,\n    \"command\":\"pg\",\n"
            "    \"path\":\"\\/mnt\\/db\\/wal\",\n    \"map_sync\":true\n  }\n]\n");
  EXPECT_EQ(r.err, "volume db: 1 consumer\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "GET /v1/consumers?volume=db HTTP/1.1");
  Outcome const ns = daxadm(fake, {"consumers", "--namespace", "a b"});
  EXPECT_EQ(ns.code, 0) << ns.err;
  EXPECT_EQ(ns.out, "[]\n");
  EXPECT_EQ(ns.err, "namespace a b: 0 consumers\n");
  EXPECT_EQ(fake.requests()[1].request_line(), "GET /v1/consumers?namespace=a%20b HTTP/1.1");
  FakeDaxd none({});
  EXPECT_EQ(daxadm(none, {"consumers"}).code, 2);
  EXPECT_EQ(daxadm(none, {"consumers", "db", "--namespace", "a"}).code, 2);
}

TEST(FileDax, ShowsTheFlagAndTheEffectiveState) {
  FakeDaxd fake({json_reply(200, R"({"volume":"db","path":"/mnt/db/x","dax_flag":true,)"
                                 R"("effective_dax":false})")});
  Outcome const r = daxadm(fake, {"file-dax", "db", "/mnt/db/x"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "/mnt/db/x: dax flag on, effective dax off\n");
  EXPECT_EQ(fake.requests()[0].request_line(),
            "GET /v1/volumes/db/files?path=%2Fmnt%2Fdb%2Fx HTTP/1.1");
}

}  // namespace
}  // namespace daxd::cli
