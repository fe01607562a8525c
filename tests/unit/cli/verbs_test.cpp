// SPDX-License-Identifier: Apache-2.0
// The namespace, operation and event verbs against a scripted daxd: the requests they send,
// what they print on stdout and stderr, and their exit codes.
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/verbs.h"
#include "tests/unit/cli/daxadm_run.h"
#include "tests/unit/cli/fake_daxd.h"

namespace daxd::cli {
namespace {

using nlohmann::json;
using testing::daxadm;
using testing::FakeDaxd;
using testing::Outcome;
using testing::json_reply;

constexpr char kNamespace[] =
    R"({"dev":"namespace0.1","region":"region0","name":"web","mode":"fsdax","map":"dev",)"
    R"("size":2145386496,"uuid":"u-1","sector_size":512,"blockdev":"pmem0.1","align":2097152})";
constexpr char kNamespaceOut[] =
    "{\n  \"dev\":\"namespace0.1\",\n  \"mode\":\"fsdax\",\n  \"map\":\"dev\",\n"
    "  \"size\":2145386496,\n  \"uuid\":\"u-1\",\n  \"sector_size\":512,\n"
    "  \"align\":2097152,\n  \"blockdev\":\"pmem0.1\",\n  \"name\":\"web\"\n}\n";

std::string op(char const* state, char const* extra = "") {
  return std::string(R"({"type":"create-namespace","target":"namespace/web","id":12,"state":")") +
         state + R"(","steps":[{"state":"done","name":"create-namespace"}])" + extra + "}";
}

TEST(CreateNamespace, SendsTheSpecAndPrintsTheNamespaceLikeNdctl) {
  FakeDaxd fake({json_reply(201, R"({"changed":true,"operation":)" + op("completed") +
                                     R"(,"namespace":)" + kNamespace + "}")});
  Outcome const r = daxadm(fake, {"create-namespace", "-r", "region0", "-s", "2G", "-n", "web",
                                  "-m", "fsdax", "-a", "2M"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kNamespaceOut);
  EXPECT_EQ(r.err, "created 1 namespace\n");
  ASSERT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(fake.requests()[0].request_line(), "POST /v1/namespaces?wait=300 HTTP/1.1");
  EXPECT_EQ(json::parse(fake.requests()[0].body),
            json::parse(R"({"name":"web","region":"region0","size":2147483648,"mode":"fsdax",
                            "align":2097152})"));
}

TEST(CreateNamespace, HumanSizesAndAnExistingNamespace) {
  FakeDaxd fake(
      {json_reply(200, std::string(R"({"changed":false,"namespace":)") + kNamespace + "}")});
  Outcome const r = daxadm(fake, {"create-namespace", "-r", "region0", "-s", "2145386496", "-n",
                                  "web", "-u", "--wait", "7"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"size\":\"2046.00 MiB (2145.39 MB)\""), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "namespace web already exists, unchanged\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "POST /v1/namespaces?wait=7 HTTP/1.1");
}

TEST(CreateNamespace, DryRunPrintsThePlan) {
  FakeDaxd fake({json_reply(200, R"({"dry_run":true,"changed":false,"plan":{"notes":[],)"
                                 R"("steps":[{"name":"create-namespace","description":"d"}],)"
                                 R"("target":"namespace/web","type":"create-namespace"}})")});
  Outcome const r =
      daxadm(fake, {"create-namespace", "-r", "region0", "-s", "1G", "-n", "web", "--dry-run"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\n  \"type\":\"create-namespace\",\n  \"target\":\"namespace\\/web\",\n"
            "  \"steps\":[\n    {\n      \"name\":\"create-namespace\",\n"
            "      \"description\":\"d\"\n    }\n  ],\n  \"notes\":[]\n}\n");
  EXPECT_EQ(r.err, "would create 1 namespace\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "POST /v1/namespaces?dry_run=true HTTP/1.1");
}

TEST(CreateNamespace, DryRunOfAnExistingNamespaceSaysUnchanged) {
  FakeDaxd fake({json_reply(
      200, std::string(R"({"dry_run":true,"changed":false,"namespace":)") + kNamespace + "}")});
  Outcome const r = daxadm(
      fake, {"create-namespace", "-r", "region0", "-s", "2145386496", "-n", "web", "--dry-run"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kNamespaceOut);
  EXPECT_EQ(r.err, "namespace web already exists, unchanged\n");
}

TEST(CreateNamespace, NoWaitPrintsTheAcceptedOperation) {
  FakeDaxd fake({json_reply(202, R"({"changed":true,"operation":)" + op("running") + "}")});
  Outcome const r =
      daxadm(fake, {"create-namespace", "-r", "region0", "-s", "1G", "-n", "web", "--no-wait"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\n  \"id\":12,\n  \"type\":\"create-namespace\",\n", 0), 0u) << r.out;
  EXPECT_EQ(r.err, "submitted operation 12 (daxadm wait 12)\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "POST /v1/namespaces?wait=0 HTTP/1.1");
}

TEST(CreateNamespace, NotFinishedWithinTheWaitFails) {
  FakeDaxd fake({json_reply(202, R"({"changed":true,"operation":)" + op("running") + "}")});
  Outcome const r =
      daxadm(fake, {"create-namespace", "-r", "region0", "-s", "1G", "-n", "web", "--wait", "1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "daxadm: operation 12 did not finish within 1 s; follow it with 'daxadm wait 12'\n");
}

TEST(CreateNamespace, AlreadyExistsWithAnotherSpecExitsOne) {
  FakeDaxd fake({json_reply(409,
                            R"({"type":"urn:daxd:problem:already_exists","status":409,)"
                            R"("detail":"web: namespace already exists with size 1073741824"})",
                            "application/problem+json")});
  Outcome const r = daxadm(fake, {"create-namespace", "-r", "region0", "-s", "2G", "-n", "web"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "daxadm: web: namespace already exists with size 1073741824\n");
}

TEST(CreateNamespace, UsageErrorsExitTwoWithoutAsking) {
  FakeDaxd fake({});
  EXPECT_EQ(daxadm(fake, {"create-namespace", "-r", "region0", "-n", "web"}).code, 2);
  EXPECT_EQ(daxadm(fake, {"create-namespace", "-r", "region0", "-s", "1Q", "-n", "w"}).code, 2);
  EXPECT_EQ(daxadm(fake, {"create-namespace", "-r", "r", "-s", "1G", "-n", "w", "--wait", "3",
                          "--no-wait"})
                .code,
            2);
  EXPECT_EQ(
      daxadm(fake, {"create-namespace", "-r", "r", "-s", "1G", "-n", "w", "--wait", "4000"}).code,
      2);
  EXPECT_TRUE(fake.requests().empty());
}

TEST(DestroyNamespace, ForceAndPolicyAndTheSummary) {
  FakeDaxd fake({json_reply(200, R"({"changed":true,"operation":)" + op("completed") + "}")});
  Outcome const r = daxadm(fake, {"destroy-namespace", "web", "-f", "--policy", "terminate"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "destroyed 1 namespace\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "DELETE /v1/namespaces/web?wait=300 HTTP/1.1");
  EXPECT_EQ(json::parse(fake.requests()[0].body),
            json::parse(R"({"force":true,"policy":"terminate"})"));
}

TEST(DestroyNamespace, BlockersOnePerLine) {
  FakeDaxd fake({json_reply(
      409,
      R"({"type":"urn:daxd:problem:busy","status":409,"detail":"web: namespace is in use",)"
      R"("blockers":[{"kind":"mount","path":"/mnt/web"},)"
      R"({"kind":"fd","pid":42,"command":"cat","path":"/dev/pmem0.1"}]})",
      "application/problem+json")});
  Outcome const r = daxadm(fake, {"destroy-namespace", "web"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "daxadm: web: namespace is in use\n"
            "  blocked by mount /mnt/web\n"
            "  blocked by pid 42 (cat): fd /dev/pmem0.1\n");
  EXPECT_EQ(fake.requests()[0].body, "");
}

TEST(DestroyNamespace, DryRunAndBadPolicy) {
  FakeDaxd fake({json_reply(200, R"({"dry_run":true,"changed":false,"plan":{}})")});
  Outcome const r = daxadm(fake, {"destroy-namespace", "web", "--dry-run"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "{}\n");
  EXPECT_EQ(r.err, "would destroy 1 namespace\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "DELETE /v1/namespaces/web?dry_run=true HTTP/1.1");
  EXPECT_EQ(daxadm(fake, {"destroy-namespace", "web", "--policy", "nuke"}).code, 2);
}

TEST(ReconfigureNamespace, PrintsTheNamespaceAndTheSummary) {
  std::string ns = kNamespace;
  FakeDaxd fake({json_reply(200, R"({"changed":true,"operation":)" + op("completed") +
                                     R"(,"namespace":)" + ns + "}"),
                 json_reply(200, R"({"changed":false,"operation":)" + op("completed") +
                                     R"(,"namespace":)" + ns + "}")});
  Outcome const r = daxadm(fake, {"reconfigure-namespace", "web", "-m", "devdax", "--no-wait"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kNamespaceOut);
  EXPECT_EQ(r.err, "reconfigured 1 namespace\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "PATCH /v1/namespaces/web?wait=0 HTTP/1.1");
  EXPECT_EQ(json::parse(fake.requests()[0].body), json::parse(R"({"mode":"devdax"})"));

  Outcome const again = daxadm(fake, {"reconfigure-namespace", "web", "-m", "devdax", "-f"});
  EXPECT_EQ(again.code, 0);
  EXPECT_EQ(again.err, "namespace web is already devdax, unchanged\n");
  EXPECT_EQ(json::parse(fake.requests()[1].body), json::parse(R"({"mode":"devdax","force":true})"));
}

TEST(ReconfigureNamespace, RolledBackOperationIsAProblem) {
  FakeDaxd fake({json_reply(500,
                            R"({"type":"urn:daxd:problem:io_error","status":500,)"
                            R"("detail":"namespace0.1: cannot enable: no such device",)"
                            R"("operation":12})",
                            "application/problem+json")});
  Outcome const r = daxadm(fake, {"reconfigure-namespace", "web", "-m", "raw"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "daxadm: namespace0.1: cannot enable: no such device\n");
}

TEST(Operations, NewestFirstInDaxdsKeyOrder) {
  FakeDaxd fake({json_reply(200, "[" + op("completed") + "]"), json_reply(200, "[]"),
                 json_reply(200, "[" + op("rolled_back", R"(,"error":"boom")") + "]")});
  Outcome const r = daxadm(fake, {"operations", "-l", "5"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "[\n  {\n    \"id\":12,\n    \"type\":\"create-namespace\",\n"
            "    \"target\":\"namespace\\/web\",\n    \"state\":\"completed\",\n"
            "    \"steps\":[\n      {\n        \"name\":\"create-namespace\",\n"
            "        \"state\":\"done\"\n      }\n    ]\n  }\n]\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "GET /v1/operations?limit=5 HTTP/1.1");
  EXPECT_EQ(daxadm(fake, {"operations"}).out, "");
  EXPECT_EQ(fake.requests()[1].request_line(), "GET /v1/operations HTTP/1.1");
  Outcome const table = daxadm(fake, {"operations", "--human"});
  EXPECT_EQ(table.out,
            "ID  TYPE              TARGET         STATE        ERROR\n"
            "12  create-namespace  namespace/web  rolled_back  boom\n");
}

TEST(Wait, CompletedSucceedsOtherwiseExitOne) {
  FakeDaxd fake({json_reply(200, op("completed")),
                 json_reply(200, op("rolled_back", R"(,"error":"no space in region0")")),
                 json_reply(200, op("running"))});
  Outcome const ok = daxadm(fake, {"wait", "12", "-t", "9"});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(ok.out.rfind("{\n  \"id\":12,\n", 0), 0u);
  EXPECT_EQ(fake.requests()[0].request_line(), "GET /v1/operations/12?wait=9 HTTP/1.1");
  Outcome const rolled = daxadm(fake, {"wait", "12"});
  EXPECT_EQ(rolled.code, 1);
  EXPECT_EQ(rolled.err, "daxadm: operation 12 rolled_back: no space in region0\n");
  EXPECT_EQ(fake.requests()[1].request_line(), "GET /v1/operations/12?wait=300 HTTP/1.1");
  Outcome const running = daxadm(fake, {"wait", "12", "-t", "0"});
  EXPECT_EQ(running.code, 1);
  EXPECT_EQ(running.err, "daxadm: operation 12 is still running after 0 s\n");
  EXPECT_EQ(daxadm(fake, {"wait", "x12"}).code, 2);
}

TEST(Events, OneCompactObjectPerLineUntilTheCount) {
  FakeDaxd fake({testing::sse_reply(
      {": keep-alive\n\n",
       "id: 5\nevent: operation\ndata: {\"type\":\"operation\",\"object\":\"operation/12\",",
       "\"at_ms\":1,\"data\":{\"state\":\"running\",\"type\":\"t\",\"id\":12}}\n\n",
       "id: 6\nevent: operation\ndata: {\"data\":{},\"at_ms\":2,\"object\":\"operation/12\","
       "\"type\":\"operation\"}\n\nid: 7\ndata: {}\n\n"},
      /*hold_open=*/true)});
  Outcome const r = daxadm(fake, {"events", "--since", "4", "--type", "operation", "--count", "2"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"id\":5,\"type\":\"operation\",\"object\":\"operation/12\",\"at_ms\":1,"
            "\"data\":{\"id\":12,\"type\":\"t\",\"state\":\"running\"}}\n"
            "{\"id\":6,\"type\":\"operation\",\"object\":\"operation/12\",\"at_ms\":2,"
            "\"data\":{}}\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "GET /v1/events?since=4&type=operation HTTP/1.1");
}

TEST(Events, StreamEndIsSuccessAndAnErrorIsDaxds) {
  FakeDaxd fake({testing::sse_reply({"data: not json\n\n"}, /*hold_open=*/false),
                 json_reply(503,
                            R"({"type":"urn:daxd:problem:unavailable","status":503,)"
                            R"("detail":"the event stream is not available yet"})",
                            "application/problem+json")});
  Outcome const r = daxadm(fake, {"events"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"event\":\"message\",\"data\":\"not json\"}\n");
  EXPECT_EQ(fake.requests()[0].request_line(), "GET /v1/events HTTP/1.1");
  Outcome const e = daxadm(fake, {"events"});
  EXPECT_EQ(e.code, 1);
  EXPECT_EQ(e.err, "daxadm: the event stream is not available yet\n");
  EXPECT_EQ(daxadm(fake, {"events", "--since", "x"}).code, 2);
}

// daxadm builds only the verb it is given, found by the name in kVerbs: each name must be the
// subcommand its function adds.
TEST(Verbs, EachNameIsTheSubcommandItsFunctionAdds) {
  for (NamedVerb const& v : kVerbs) {
    CLI::App app;
    VerbAction chosen;
    v.add(app, chosen);
    auto const subs = app.get_subcommands([](CLI::App*) { return true; });
    ASSERT_EQ(subs.size(), 1U) << v.name;
    EXPECT_EQ(subs[0]->get_name(), v.name);
  }
}

TEST(Verbs, HelpAndUnknownVerbsSeeEveryVerb) {
  std::ostringstream out, err;
  EXPECT_EQ(run({"daxadm", "--human", "--help"}, out, err), 0);
  for (NamedVerb const& v : kVerbs) EXPECT_NE(out.str().find(v.name), std::string::npos) << v.name;
  std::ostringstream out2, err2;
  EXPECT_EQ(run({"daxadm", "--socket=/nonexistent", "lsit"}, out2, err2), 2);
  EXPECT_EQ(err2.str(), "daxadm: A subcommand is required\nrun 'daxadm --help' for usage\n");
}

TEST(Verbs, GlobalOptionsMayComeBeforeOrAfterTheVerb) {
  FakeDaxd fake({json_reply(200, "[]"), json_reply(200, "[]")});
  std::ostringstream out, err;
  EXPECT_EQ(run({"daxadm", "--human", "--socket=" + fake.socket(), "operations"}, out, err), 0)
      << err.str();
  EXPECT_EQ(run({"daxadm", "operations", "--socket", fake.socket(), "--human"}, out, err), 0)
      << err.str();
  ASSERT_EQ(fake.requests().size(), 2U);
}

}  // namespace
}  // namespace daxd::cli
