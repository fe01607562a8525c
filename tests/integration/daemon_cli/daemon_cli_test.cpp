// SPDX-License-Identifier: Apache-2.0
// The real daxd on the sim host, driven through the daxadm binary and through raw HTTP.
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/client/client.h"
#include "api/client/problem.h"
#include "tests/integration/daemon_cli/daxd_process.h"

namespace daxd::testing {
namespace {

using nlohmann::json;

class DaemonCli : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daxd_.ready()) << "daxd did not start:\n" << daxd_.log(); }

  api_client::HttpResponse http(std::string_view method, std::string_view target,
                                std::string_view body = {}) {
    api_client::Client client(daxd_.socket());
    auto r = client.request(method, target, body);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : api_client::HttpResponse{};
  }

  DaxdProcess daxd_;
};

void expect_problem(api_client::HttpResponse const& r, unsigned status) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_TRUE(api_client::is_problem(r)) << r.content_type;
  json const doc = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << r.body;
  EXPECT_EQ(doc.value("status", 0u), status);
  EXPECT_TRUE(doc.contains("title"));
  EXPECT_EQ(doc.value("type", std::string()).rfind("urn:daxd:problem:", 0), 0u) << r.body;
}

TEST_F(DaemonCli, ListRegionsWithNamespacesInNdctlShape) {
  auto const r = run_daxadm({"--socket", daxd_.socket(), "list", "-RNu"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // region1, listed last, has no namespace: like ndctl, an array (pmem/ndctl#183).
  EXPECT_EQ(r.out.rfind("[\n  {\n    \"dev\":\"region0\",\n"
                        "    \"size\":\"16.00 GiB (17.18 GB)\",\n"
                        "    \"align\":\"16.00 MiB (16.78 MB)\",\n"
                        "    \"available_size\":",
                        0),
            0u)
      << r.out;
  json const regions = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(regions.is_array()) << r.out;
  ASSERT_EQ(regions.size(), 2u);
  for (auto const& region : regions) {
    for (char const* key : {"dev", "size", "available_size", "max_available_extent", "type",
                            "iset_id", "persistence_domain"}) {
      EXPECT_TRUE(region.contains(key)) << key << " in " << region.dump();
    }
    EXPECT_EQ(region["type"], "pmem");
    EXPECT_EQ(region["iset_id"].get<std::string>().rfind("0x", 0), 0u);
  }
  ASSERT_TRUE(regions[0].contains("namespaces")) << r.out;
  EXPECT_EQ(regions[0]["namespaces"][0]["dev"], "namespace0.0");
  EXPECT_FALSE(regions[0]["namespaces"][0].contains("region"));
  EXPECT_FALSE(regions[1].contains("namespaces"));
}

TEST_F(DaemonCli, ListNamespaces) {
  auto const r = run_daxadm({"--socket", daxd_.socket(), "list", "-N"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("[\n  {\n    \"dev\":\"namespace0.0\",\n    \"mode\":\"fsdax\",\n", 0), 0u)
      << r.out;
  json const namespaces = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(namespaces.is_array()) << r.out;
  ASSERT_EQ(namespaces.size(), 1u);
  EXPECT_FALSE(namespaces[0].contains("region"));
  EXPECT_EQ(namespaces[0].value("name", ""), "db");

  auto const none = run_daxadm({"--socket", daxd_.socket(), "list", "-N", "-r", "region1"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "");
}

TEST_F(DaemonCli, HumanTables) {
  auto const r = run_daxadm({"--socket", daxd_.socket(), "--human", "list", "-R"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("REGION   SIZE         AVAILABLE", 0), 0u) << r.out;
}

TEST_F(DaemonCli, UnknownRouteIsProblem404) { expect_problem(http("GET", "/v1/nope"), 404); }

TEST_F(DaemonCli, MalformedJsonBodyIsProblem400) {
  auto const r = http("POST", "/v1/namespaces", "{\"name\": ");
  if (r.status == 405) GTEST_SKIP() << "POST /v1/namespaces is not routed yet";
  expect_problem(r, 400);
}

TEST_F(DaemonCli, BodyOverOneMebibyteIsProblem413) {
  std::string const body = "\"" + std::string((1u << 20) + 16, 'x') + "\"";
  expect_problem(http("POST", "/v1/namespaces", body), 413);
}

TEST_F(DaemonCli, SocketMode0660) {
  struct stat st {};
  ASSERT_EQ(::stat(daxd_.socket().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0660u);
}

TEST_F(DaemonCli, StopsOnSigtermAndRemovesItsSocket) {
  EXPECT_EQ(http("GET", "/healthz").status, 200u);  // serving for sure
  EXPECT_EQ(daxd_.stop(), 0) << daxd_.log();
  EXPECT_FALSE(std::filesystem::exists(daxd_.socket()));
  auto const r = run_daxadm({"--socket", daxd_.socket(), "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "daxadm: cannot connect to daxd at " + daxd_.socket() +
                       ": No such file or directory (is daxd running?)\n");
}

// systemd may send SIGTERM as soon as READY=1 arrives: daxd must handle it from then on.
TEST_F(DaemonCli, SigtermRightAfterReadyStillExitsZero) {
  EXPECT_EQ(daxd_.stop(), 0) << daxd_.log();
  EXPECT_FALSE(std::filesystem::exists(daxd_.socket()));
}

// Runs `probe` as uid/gid 65534 in a child; returns the two statuses it saw, GET then POST.
std::pair<unsigned, unsigned> statuses_as_nobody(std::string const& socket) {
  int fds[2];
  if (::pipe(fds) != 0) return {0, 0};
  pid_t const pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    api_client::Client client(socket);
    auto const get = client.request("GET", "/healthz");
    auto const post = client.request("POST", "/v1/namespaces", R"({"region":"region0"})");
    unsigned const out[2] = {get ? get->status : 0u, post ? post->status : 0u};
    auto const n = ::write(fds[1], out, sizeof out);
    ::_exit(n == sizeof out ? 0 : 4);
  }
  ::close(fds[1]);
  unsigned in[2] = {0, 0};
  auto const n = ::read(fds[0], in, sizeof in);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (n != sizeof in) return {0, 0};
  return {in[0], in[1]};
}

TEST(DaemonCliPeers, NonRootPeerMayReadButNotChange) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch to uid 65534";
  DaxdProcess daxd({"--socket-mode", "0666"});
  ASSERT_TRUE(daxd.ready()) << daxd.log();
  auto const [get, post] = statuses_as_nobody(daxd.socket());
  EXPECT_EQ(get, 200u);
  EXPECT_EQ(post, 403u);

  api_client::Client root(daxd.socket());  // the same POST from root passes authorisation
  auto const r = root.request("POST", "/v1/namespaces", R"({"region":"region0"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NE(r->status, 403u);
}

}  // namespace
}  // namespace daxd::testing
