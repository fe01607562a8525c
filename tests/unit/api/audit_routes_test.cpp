// SPDX-License-Identifier: Apache-2.0
// GET /v1/audit over the real engine and the SQLite audit log, wired as daxd's main wires them:
// every mutating request with peer, status, result and operation id, newest first, paged.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/routes.h"
#include "tests/unit/api/engine_env.h"

namespace daxd::api::testing {
namespace {

using nlohmann::json;

constexpr char kCreateDb[] = R"({"name":"db","region":"region0","size":"256M"})";

Peer tcp_peer() { return Peer{}; }

class AuditRoutes : public ::testing::Test {
 protected:
  AuditRoutes() {
    // As main does: records into the audit log, read back newest first.
    env_.services->audit = [this](AuditRecord const& r) {
      state::AuditEntry e;
      if (r.uid != Peer::kNoId) {
        e.peer_uid = r.uid;
        e.peer_gid = r.gid;
        e.peer_pid = r.pid;
      }
      e.method = r.method;
      e.path = r.path;
      e.body_excerpt = r.body_excerpt;
      e.status = r.status;
      e.result = r.result;
      e.operation_id = r.operation_id;
      auto const done = env_.state->audit().record(e);
      EXPECT_TRUE(done) << done.error().message;
    };
    env_.services->audit_history = [this](AuditQuery const& q) -> Result<std::vector<AuditRecord>> {
      DAXD_ASSIGN_OR_RETURN(auto const entries,
                            env_.state->audit().newest(q.limit, q.offset, q.since_id));
      std::vector<AuditRecord> out;
      for (auto const& e : entries) {
        out.push_back(AuditRecord{e.peer_uid.value_or(Peer::kNoId),
                                  e.peer_gid.value_or(Peer::kNoId), e.peer_pid.value_or(0),
                                  e.method, e.path, e.body_excerpt, e.status, e.result,
                                  e.operation_id.value_or(0), e.id, e.at_ms});
      }
      return out;
    };
  }

  json audit(std::string const& query = "", Peer const& peer = admin_peer()) {
    auto const res = env_.call("GET", "/v1/audit" + query, "", peer);
    EXPECT_EQ(res.status, 200U) << res.body;
    return body_of(res);
  }

  ApiEngineEnv env_{"audit"};
};

TEST_F(AuditRoutes, EveryMutationIsListedNewestFirstWithPeerResultAndOperation) {
  auto const created = env_.call("POST", "/v1/namespaces?wait=10", kCreateDb);
  ASSERT_EQ(created.status, 201U) << created.body;
  auto const op_id = body_of(created).at("operation").at("id").get<std::int64_t>();
  EXPECT_EQ(env_.call("DELETE", "/v1/namespaces/db", "", plain_peer()).status, 403U);
  EXPECT_EQ(env_.call("POST", "/v1/namespaces", "{not json").status, 400U);
  EXPECT_EQ(env_.call("GET", "/v1/namespaces").status, 200U);  // reads are not audited

  json const rows = audit();
  ASSERT_EQ(rows.size(), 3U) << rows.dump();
  EXPECT_EQ(rows[0].at("status"), 400);
  EXPECT_EQ(rows[0].at("result"), "invalid_argument");
  EXPECT_TRUE(rows[0].at("operation").is_null());
  EXPECT_EQ(rows[1].at("method"), "DELETE");
  EXPECT_EQ(rows[1].at("path"), "/v1/namespaces/db");
  EXPECT_EQ(rows[1].at("status"), 403);
  EXPECT_EQ(rows[1].at("result"), "permission_denied");
  EXPECT_EQ(rows[1].at("peer"),
            (json{{"transport", "unix"}, {"uid", 1000}, {"gid", 1000}, {"pid", 200}}));
  EXPECT_EQ(rows[2].at("method"), "POST");
  EXPECT_EQ(rows[2].at("path"), "/v1/namespaces") << "the query is not part of the path";
  EXPECT_EQ(rows[2].at("status"), 201);
  EXPECT_EQ(rows[2].at("result"), "ok");
  EXPECT_EQ(rows[2].at("operation"), op_id);
  EXPECT_EQ(rows[2].at("peer").at("uid"), 0);
  EXPECT_EQ(rows[2].at("body_excerpt"), kCreateDb);
  EXPECT_GT(rows[0].at("id").get<std::int64_t>(), rows[1].at("id").get<std::int64_t>());
  EXPECT_GT(rows[2].at("at_ms").get<std::int64_t>(), 0);
  std::string const time = rows[2].at("time");
  EXPECT_EQ(time.size(), 24U) << time;  // 2026-11-25T07:30:00.123Z
  EXPECT_EQ(time.back(), 'Z') << time;
}

TEST_F(AuditRoutes, EachOperationStartingRouteRecordsItsOperation) {
  ASSERT_EQ(env_.call("POST", "/v1/namespaces?wait=10", kCreateDb).status, 201U);
  auto const patched =
      env_.call("PATCH", "/v1/namespaces/db?wait=10", R"({"mode":"devdax","force":true})");
  ASSERT_EQ(patched.status, 200U) << patched.body;
  auto const deleted = env_.call("DELETE", "/v1/namespaces/db?wait=10&force=true");
  ASSERT_EQ(deleted.status, 200U) << deleted.body;
  auto const accepted = env_.call("POST", "/v1/namespaces", kCreateDb);  // 202, no wait
  ASSERT_EQ(accepted.status, 202U) << accepted.body;

  json const rows = audit();
  ASSERT_EQ(rows.size(), 4U) << rows.dump();
  for (auto const& row : rows) {
    ASSERT_TRUE(row.at("operation").is_number_integer()) << row.dump();
    auto const op = env_.call("GET", "/v1/operations/" + row.at("operation").dump());
    EXPECT_EQ(op.status, 200U) << row.dump();
  }
  EXPECT_EQ(rows[0].at("status"), 202);
  EXPECT_EQ(body_of(accepted).at("operation").at("id"), rows[0].at("operation"));
  EXPECT_NE(rows[1].at("operation"), rows[2].at("operation"));
  EXPECT_EQ(
      env_.call("GET", "/v1/operations/" + rows[0].at("operation").dump() + "?wait=10").status,
      200U);
}

TEST_F(AuditRoutes, LimitOffsetAndSincePage) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(env_.call("POST", "/v1/namespaces", "[" + std::to_string(i)).status, 400U);
  }
  json const all = audit();
  ASSERT_EQ(all.size(), 5U);
  json const page = audit("?limit=2&offset=1");
  ASSERT_EQ(page.size(), 2U);
  EXPECT_EQ(page[0], all[1]);
  EXPECT_EQ(page[1], all[2]);
  json const newer = audit("?since=" + all[2].at("id").dump());
  ASSERT_EQ(newer.size(), 2U);
  EXPECT_EQ(newer[0], all[0]);
  EXPECT_EQ(newer[1], all[1]);
  EXPECT_TRUE(audit("?offset=5").empty());
  for (auto const* bad :
       {"?limit=0", "?limit=1001", "?limit=x", "?offset=-1", "?since=", "?since=1e3"}) {
    auto const res = env_.call("GET", std::string("/v1/audit") + bad);
    EXPECT_EQ(res.status, 400U) << bad << ": " << res.body;
    EXPECT_EQ(res.content_type, "application/problem+json") << bad;
  }
}

TEST_F(AuditRoutes, ReadableLikeTheOtherReadsAndTcpPeersHaveNoCredentials) {
  EXPECT_EQ(env_.call("POST", "/v1/namespaces", "{", plain_peer()).status, 403U);
  json const rows = audit("", plain_peer());  // the daxd group may read it
  ASSERT_EQ(rows.size(), 1U);

  // Over TCP, the bearer token is needed for this read as for every other.
  env_.services->bearer_token = "0123456789abcdef0123";
  EXPECT_EQ(env_.call("GET", "/v1/audit", "", tcp_peer()).status, 401U);
  Request req;
  req.method = "POST";
  req.target = "/v1/namespaces";
  req.body = "{";
  req.authorization = "Bearer 0123456789abcdef0123";
  EXPECT_EQ(handle_request(req, tcp_peer(), *env_.services).status, 400U);
  json const after = audit();
  ASSERT_EQ(after.size(), 2U) << after.dump();  // the refused TCP read is not audited
  EXPECT_EQ(after[0].at("peer"), (json{{"transport", "tcp"}}));
  EXPECT_EQ(after[0].at("status"), 400);
  EXPECT_EQ(after[1].at("status"), 403);
}

TEST_F(AuditRoutes, TheOpenApiDocumentDescribesTheRoute) {
  auto const doc = json::parse(openapi_document(), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_TRUE(doc.at("paths").at("/v1/audit").contains("get"));
  EXPECT_TRUE(doc.at("components").at("schemas").contains("AuditEntry"));
}

TEST_F(AuditRoutes, WithoutTheLogTheRouteIs503) {
  env_.services->audit_history = nullptr;
  auto const res = env_.call("GET", "/v1/audit");
  EXPECT_EQ(res.status, 503U);
  EXPECT_EQ(res.content_type, "application/problem+json");
}

}  // namespace
}  // namespace daxd::api::testing
