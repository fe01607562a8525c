// SPDX-License-Identifier: Apache-2.0
// The audit log end to end: mutations through daxadm show up in GET /v1/audit and
// `daxadm audit` with peer, status, result and operation id, newest first, across a restart.
#include <unistd.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/integration/daemon_cli/daxd_process.h"
#include "tests/integration/hardening/raw_socket.h"

namespace daxd::testing {
namespace {

using nlohmann::json;

class AuditCli : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daxd_.ready()) << daxd_.log(); }

  RunResult daxadm(std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", daxd_.socket()});
    return run_daxadm(args);
  }

  json audit_json(std::vector<std::string> args = {}) {
    args.insert(args.begin(), "audit");
    auto const r = daxadm(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.out.empty()) return json::array();  // nothing matched, nothing printed (as ndctl)
    auto doc = json::parse(r.out, nullptr, false);
    EXPECT_TRUE(doc.is_array()) << r.out;
    return doc;
  }

  DaxdProcess daxd_;
};

TEST_F(AuditCli, MutationsAreListedWithPeerResultAndOperationAcrossARestart) {
  EXPECT_EQ(audit_json().size(), 0U) << "an empty log prints nothing";
  auto const created = daxadm({"create-namespace", "-r", "region1", "-s", "256M", "-n", "a1"});
  ASSERT_EQ(created.exit_code, 0) << created.err << daxd_.log();
  auto const refused = daxadm({"destroy-namespace", "no-such"});
  EXPECT_NE(refused.exit_code, 0);
  auto const destroyed = daxadm({"destroy-namespace", "a1", "-f"});
  ASSERT_EQ(destroyed.exit_code, 0) << destroyed.err << daxd_.log();

  json const rows = audit_json();
  ASSERT_EQ(rows.size(), 3U) << rows.dump();
  EXPECT_EQ(rows[0].value("method", ""), "DELETE");
  EXPECT_EQ(rows[0].value("path", ""), "/v1/namespaces/a1");
  EXPECT_EQ(rows[0].value("result", ""), "ok");
  EXPECT_TRUE(rows[0].at("operation").is_number_integer()) << rows[0].dump();
  EXPECT_EQ(rows[1].value("status", 0), 404);
  EXPECT_EQ(rows[1].value("result", ""), "not_found");
  EXPECT_TRUE(rows[1].at("operation").is_null());
  EXPECT_EQ(rows[2].value("method", ""), "POST");
  EXPECT_EQ(rows[2].value("path", ""), "/v1/namespaces");
  EXPECT_TRUE(rows[2].at("operation").is_number_integer());
  for (auto const& row : rows) {
    EXPECT_EQ(row.at("peer").value("transport", ""), "unix");
    EXPECT_EQ(row.at("peer").value("uid", -1), static_cast<int>(::getuid()));
    EXPECT_NE(row.at("peer").value("pid", 0), ::getpid()) << "daxadm's pid, not the test's";
  }
  // The operation ids name real operations.
  for (std::size_t i : {0U, 2U}) {
    auto const op = raw_get(daxd_.socket(), "/v1/operations/" + rows[i].at("operation").dump());
    EXPECT_EQ(op.status, 200U) << op.body;
  }

  json const one = audit_json({"-l", "1", "--offset", "1"});
  ASSERT_EQ(one.size(), 1U);
  EXPECT_EQ(one[0], rows[1]);
  json const newer = audit_json({"--since", rows[1].at("id").dump()});
  ASSERT_EQ(newer.size(), 1U);
  EXPECT_EQ(newer[0], rows[0]);
  auto const table = daxadm({"--human", "audit"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("OPERATION"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("/v1/namespaces/a1"), std::string::npos) << table.out;

  ASSERT_TRUE(daxd_.restart()) << daxd_.log();
  EXPECT_EQ(audit_json(), rows) << "the log is on disk";
}

}  // namespace
}  // namespace daxd::testing
