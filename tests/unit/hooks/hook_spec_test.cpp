// SPDX-License-Identifier: Apache-2.0
// Hook validation: every refusal says why, programs are judged on the real file system.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "daemon/orchestrator/hook_spec.h"

namespace daxd::orchestrator {
namespace {

using nlohmann::json;

std::string refusal(json const& body) {
  auto r = parse_hook_request(body);
  EXPECT_FALSE(r) << body.dump();
  if (r) return "";
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  return r.error().message;
}

json exec_body(json argv) {
  return {{"volume", "vol"}, {"name", "app"}, {"kind", "exec"}, {"argv", std::move(argv)}};
}
json http_body(std::string url) {
  return {{"volume", "vol"}, {"name", "app"}, {"kind", "http"}, {"url", std::move(url)}};
}

TEST(HookSpec, AcceptsTheThreeKindsWithDefaults) {
  auto e = parse_hook_request(exec_body({"/usr/bin/true", "-x"}));
  ASSERT_TRUE(e) << e.error().message;
  EXPECT_EQ(e->kind, HookKind::exec);
  EXPECT_EQ(e->argv, (std::vector<std::string>{"/usr/bin/true", "-x"}));
  EXPECT_EQ(e->timeout.count(), kDefaultHookTimeoutMs);
  auto h = parse_hook_request(http_body("http://127.0.0.1:8080/q?x=1"));
  ASSERT_TRUE(h) << h.error().message;
  auto ev = parse_hook_request(
      {{"volume", "vol"}, {"name", "sub"}, {"kind", "event"}, {"timeout_ms", 600000}});
  ASSERT_TRUE(ev) << ev.error().message;
  EXPECT_EQ(ev->timeout.count(), 600000);
  // Round trip through the stored text.
  e->id = 7;
  auto back = hook_from_record(7, "vol", "exec", hook_spec_text(*e));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->same_spec(*e));
  EXPECT_EQ(hook_json(*back).at("argv"), json({"/usr/bin/true", "-x"}));
}

TEST(HookSpec, RefusesRelativeProgramsBadTimeoutsAndUnknownKeys) {
  EXPECT_NE(refusal(exec_body({"true"})).find("absolute path"), std::string::npos);
  EXPECT_NE(refusal(exec_body(json::array())).find("argv"), std::string::npos);
  for (json const& t : {json(0), json(-5), json(600001), json("10"), json(1.5)}) {
    auto body = exec_body({"/bin/true"});
    body["timeout_ms"] = t;
    EXPECT_NE(refusal(body).find("'timeout_ms' must be 1 to 600000"), std::string::npos) << t;
  }
  auto extra = exec_body({"/bin/true"});
  extra["url"] = "http://127.0.0.1/";
  EXPECT_NE(refusal(extra).find("'url' does not apply to a exec hook"), std::string::npos)
      << refusal(extra);
  auto unknown = http_body("http://127.0.0.1/");
  unknown["shell"] = true;
  EXPECT_NE(refusal(unknown).find("'shell'"), std::string::npos);
  EXPECT_NE(refusal({{"volume", "vol"}, {"name", "x"}, {"kind", "cron"}}).find("'kind'"),
            std::string::npos);
  EXPECT_NE(refusal({{"name", "x"}, {"kind", "event"}}).find("'volume'"), std::string::npos);
  EXPECT_NE(refusal(json::array()).find("JSON object"), std::string::npos);
}

TEST(HookSpec, RefusesUrlsBeyondLoopbackAndHostNames) {
  for (auto const* url :
       {"http://10.0.0.1:80/", "http://localhost:80/", "http://example.com/", "http://[::2]:80/",
        "http://128.0.0.1/", "http://127.0.0.1.evil/", "http://0x7f.0.0.1/"}) {
    EXPECT_NE(refusal(http_body(url)).find("only loopback addresses"), std::string::npos) << url;
  }
  EXPECT_NE(refusal(http_body("https://127.0.0.1/")).find("must start with http://"),
            std::string::npos);
  EXPECT_NE(refusal(http_body("ftp://127.0.0.1/")).find("must start with http://"),
            std::string::npos);
  EXPECT_NE(refusal(http_body("http://127.0.0.1:99999/")).find("bad port"), std::string::npos);
  EXPECT_NE(refusal(http_body("http://127.0.0.1:/")).find("bad port"), std::string::npos);
  EXPECT_NE(refusal(http_body("unix:run/a.sock:/q")).find("absolute"), std::string::npos);
  EXPECT_NE(refusal(http_body("unix:/run/../etc/a.sock:/q")).find(".."), std::string::npos);

  auto v6 = parse_hook_url("http://[::1]:9000/quiesce");
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
  EXPECT_EQ(v6->target, "/quiesce");
  auto ux = parse_hook_url("unix:/run/app.sock:/q?a=1");
  ASSERT_TRUE(ux) << ux.error().message;
  EXPECT_EQ(ux->socket_path, "/run/app.sock");
  EXPECT_EQ(ux->target, "/q?a=1");
  auto plain = parse_hook_url("http://127.1.2.3");
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "/");
}

class ProgramFiles : public ::testing::Test {
 protected:
  std::filesystem::path dir_ =
      std::filesystem::temp_directory_path() / ("daxd-hookspec-" + std::to_string(::getpid()));
  host::SpawnPrograms programs_;

  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string make(std::string const& name, mode_t mode) {
    auto const p = (dir_ / name).string();
    std::ofstream(p) << "#!/bin/sh\nexit 0\n";
    EXPECT_EQ(::chmod(p.c_str(), mode), 0);
    return p;
  }
  std::string refused(std::string const& path) {
    auto r = check_hook_program(programs_, path);
    EXPECT_FALSE(r) << path;
    if (r) return "";
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    return r.error().message;
  }
};

TEST_F(ProgramFiles, AcceptsAnOwnedExecutableAndRefusesTheRest) {
  EXPECT_TRUE(check_hook_program(programs_, make("good", 0755)));
  EXPECT_NE(refused((dir_ / "missing").string()).find("missing"), std::string::npos);
  EXPECT_NE(refused(make("plain", 0644)).find("not executable"), std::string::npos);
  EXPECT_NE(refused(make("open", 0757)).find("writable by others"), std::string::npos);
  EXPECT_NE(refused(dir_.string()).find("not a regular file"), std::string::npos);
  EXPECT_NE(refused("relative/hook").find("not an absolute path"), std::string::npos);
  if (::geteuid() == 0) {
    auto const other = make("other", 0755);
    ASSERT_EQ(::chown(other.c_str(), 4321, 4321), 0);
    EXPECT_NE(refused(other).find("owned by uid 4321"), std::string::npos);
  }
}

}  // namespace
}  // namespace daxd::orchestrator
