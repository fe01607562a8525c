// SPDX-License-Identifier: Apache-2.0
// The namespace verbs, operations, wait and events of daxadm against the real daxd on the sim
// host, including crashes at named points and recovery on the next start.
#include <signal.h>

#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/client/client.h"
#include "api/client/problem.h"
#include "tests/integration/daemon_cli/daxd_process.h"

namespace daxd::testing {
namespace {

using nlohmann::json;

class NamespaceLifecycle : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daxd_.ready()) << "daxd did not start:\n" << daxd_.log(); }

  RunResult daxadm(std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", daxd_.socket()});
    return run_daxadm(args);
  }

  DaxdProcess daxd_;
};

// `daxadm list -N` as JSON; an empty output is an empty list.
json namespaces(DaxdProcess& daxd) {
  auto const r = run_daxadm({"--socket", daxd.socket(), "list", "-N"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.out.empty()) return json::array();
  json doc = json::parse(r.out, nullptr, false);
  EXPECT_TRUE(doc.is_array()) << r.out;
  return doc.is_array() ? doc : json::array();
}

json find_named(json const& list, std::string const& name) {
  for (auto const& ns : list) {
    if (ns.value("name", "") == name) return ns;
  }
  return nullptr;
}

json operations(DaxdProcess& daxd) {
  auto const r = run_daxadm({"--socket", daxd.socket(), "operations"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.out.empty()) return json::array();
  json doc = json::parse(r.out, nullptr, false);
  EXPECT_TRUE(doc.is_array()) << r.out;
  return doc.is_array() ? doc : json::array();
}

std::vector<std::string> keys_of(std::string const& pretty) {  // top-level keys, in order
  std::vector<std::string> keys;
  std::size_t pos = 0;
  while ((pos = pretty.find("\n  \"", pos)) != std::string::npos) {
    pos += 4;
    keys.push_back(pretty.substr(pos, pretty.find('"', pos) - pos));
  }
  return keys;
}

TEST_F(NamespaceLifecycle, CreateListRecreateReconfigureDestroy) {
  auto const created =
      daxadm({"create-namespace", "-r", "region1", "-s", "1G", "-n", "web", "-m", "fsdax"});
  ASSERT_EQ(created.exit_code, 0) << created.err << daxd_.log();
  EXPECT_EQ(created.err, "created 1 namespace\n");
  json const ns = json::parse(created.out, nullptr, false);
  ASSERT_TRUE(ns.is_object()) << created.out;
  EXPECT_EQ(ns.value("name", ""), "web");
  EXPECT_EQ(ns.value("mode", ""), "fsdax");
  EXPECT_FALSE(ns.contains("region"));
  auto const keys = keys_of(created.out);
  ASSERT_GE(keys.size(), 3u) << created.out;
  EXPECT_EQ(keys[0], "dev");
  EXPECT_EQ(keys[1], "mode");

  json const listed = find_named(namespaces(daxd_), "web");
  ASSERT_TRUE(listed.is_object());
  EXPECT_EQ(listed["dev"], ns["dev"]);
  EXPECT_EQ(listed["mode"], "fsdax");

  auto const again = daxadm({"create-namespace", "-r", "region1", "-s", "1G", "-n", "web"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err, "namespace web already exists, unchanged\n");

  auto const other = daxadm({"create-namespace", "-r", "region1", "-s", "2G", "-n", "web"});
  EXPECT_EQ(other.exit_code, 1) << other.out;
  EXPECT_NE(other.err.find("exists"), std::string::npos) << other.err;
  api_client::Client client(daxd_.socket());  // the kind of refusal behind that text
  auto const raw =
      client.request("POST", "/v1/namespaces", R"({"name":"web","region":"region1","size":"2G"})");
  ASSERT_TRUE(raw) << raw.error().message;
  EXPECT_EQ(raw->status, 409u) << raw->body;
  EXPECT_EQ(api_client::error_from_response(*raw).code, Errc::already_exists) << raw->body;

  auto const devdax = daxadm({"reconfigure-namespace", "web", "-m", "devdax"});
  ASSERT_EQ(devdax.exit_code, 0) << devdax.err << daxd_.log();
  EXPECT_EQ(devdax.err, "reconfigured 1 namespace\n");
  EXPECT_EQ(json::parse(devdax.out, nullptr, false).value("mode", ""), "devdax") << devdax.out;

  auto const destroyed = daxadm({"destroy-namespace", "web"});
  ASSERT_EQ(destroyed.exit_code, 0) << destroyed.err << daxd_.log();
  EXPECT_EQ(destroyed.err, "destroyed 1 namespace\n");
  EXPECT_EQ(destroyed.out, "");
  EXPECT_TRUE(find_named(namespaces(daxd_), "web").is_null());

  auto const gone = daxadm({"destroy-namespace", "web"});
  EXPECT_EQ(gone.exit_code, 1);
}

TEST_F(NamespaceLifecycle, EventsOperationsAndWait) {
  // On a fresh daxd no operation event exists yet, so a replay from 0 sees exactly the create's.
  DaxadmProcess events({"--socket", daxd_.socket(), "events", "--since", "0", "--type", "operation",
                        "--count", "3"});
  auto const created =
      daxadm({"create-namespace", "-r", "region1", "-s", "1G", "-n", "web", "--no-wait"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  json const accepted = json::parse(created.out, nullptr, false);
  ASSERT_TRUE(accepted.is_object()) << created.out;
  std::string const id = std::to_string(accepted.value("id", 0));

  auto const waited = daxadm({"wait", id, "-t", "60"});
  EXPECT_EQ(waited.exit_code, 0) << waited.err;
  EXPECT_EQ(json::parse(waited.out, nullptr, false).value("state", ""), "completed");

  auto const seen = events.finish(30);
  ASSERT_EQ(seen.exit_code, 0) << seen.err;
  std::istringstream lines(seen.out);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    json const event = json::parse(line, nullptr, false);
    ASSERT_TRUE(event.is_object()) << line;
    EXPECT_EQ(event.value("type", ""), "operation") << line;
    EXPECT_EQ(event.value("object", ""), "operation/" + id) << line;
    EXPECT_TRUE(event.contains("id")) << line;
    ++count;
  }
  EXPECT_EQ(count, 3) << seen.out;

  json const ops = operations(daxd_);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(std::to_string(ops[0].value("id", 0)), id);
  EXPECT_EQ(ops[0].value("type", ""), "create-namespace");
  EXPECT_EQ(ops[0].value("state", ""), "completed");

  EXPECT_EQ(daxadm({"wait", "999999", "-t", "0"}).exit_code, 1);
}

TEST_F(NamespaceLifecycle, DryRunChangesNothing) {
  json const before = namespaces(daxd_);
  auto const plan =
      daxadm({"create-namespace", "-r", "region1", "-s", "1G", "-n", "web", "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(plan.err, "would create 1 namespace\n");
  json const doc = json::parse(plan.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << plan.out;
  EXPECT_EQ(doc.value("type", ""), "create-namespace");
  EXPECT_TRUE(doc.contains("steps"));

  auto const destroy = daxadm({"destroy-namespace", "db", "--dry-run"});
  EXPECT_EQ(destroy.exit_code, 0) << destroy.err;
  EXPECT_EQ(destroy.err, "would destroy 1 namespace\n");

  EXPECT_EQ(namespaces(daxd_), before);
  EXPECT_TRUE(operations(daxd_).empty());
}

// Runs `args` against a daxd that dies at `crash_point`, restarts daxd without it on the same
// state and sim file, and returns the operations recovery left.
json crash_and_recover(DaxdProcess& daxd, std::string const& crash_point,
                       std::vector<std::string> args) {
  EXPECT_TRUE(daxd.restart({"DAXD_CRASH_AT=" + crash_point})) << daxd.log();
  args.insert(args.begin(), {"--socket", daxd.socket()});
  auto const r = run_daxadm(args);
  EXPECT_NE(r.exit_code, 0) << r.out;  // the connection broke: daxadm reports an error
  EXPECT_FALSE(r.err.empty());
  EXPECT_EQ(daxd.wait_for_death(), SIGKILL) << daxd.log();
  EXPECT_TRUE(daxd.restart()) << daxd.log();
  return operations(daxd);
}

TEST_F(NamespaceLifecycle, CrashAfterCreateIsRolledBack) {
  json const ops =
      crash_and_recover(daxd_, "create-namespace.create-namespace.after",
                        {"create-namespace", "-r", "region1", "-s", "1G", "-n", "web"});
  ASSERT_EQ(ops.size(), 1u) << ops.dump() << daxd_.log();
  EXPECT_EQ(ops[0].value("type", ""), "create-namespace");
  EXPECT_EQ(ops[0].value("state", ""), "rolled_back") << ops[0].dump();
  EXPECT_TRUE(find_named(namespaces(daxd_), "web").is_null());
  auto const waited =
      run_daxadm({"--socket", daxd_.socket(), "wait", std::to_string(ops[0].value("id", 0))});
  EXPECT_EQ(waited.exit_code, 1) << waited.out;
  EXPECT_NE(waited.err.find("rolled_back"), std::string::npos) << waited.err;
}

TEST_F(NamespaceLifecycle, CrashBeforeDestroyIsRolledForward) {
  ASSERT_TRUE(find_named(namespaces(daxd_), "db").is_object());
  json const ops = crash_and_recover(daxd_, "destroy-namespace.destroy-namespace.before",
                                     {"destroy-namespace", "db"});
  ASSERT_EQ(ops.size(), 1u) << ops.dump() << daxd_.log();
  EXPECT_EQ(ops[0].value("type", ""), "destroy-namespace");
  EXPECT_EQ(ops[0].value("state", ""), "completed") << ops[0].dump();
  EXPECT_TRUE(find_named(namespaces(daxd_), "db").is_null());
}

}  // namespace
}  // namespace daxd::testing
