// SPDX-License-Identifier: Apache-2.0
// The real daxd on the sim host against hostile connections: slowloris headers and bodies,
// oversized headers and bodies, thousands of idle connections and more than the maximum.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/integration/daemon_cli/daxd_process.h"
#include "tests/integration/hardening/raw_socket.h"

namespace daxd::testing {
namespace {

using nlohmann::json;

constexpr int kReadBound = 120;  // seconds; only a hung server ever reaches it

void expect_problem(RawConnection::Reply const& reply, unsigned status, std::string const& type) {
  EXPECT_EQ(reply.status, status) << reply.head << reply.body;
  EXPECT_NE(reply.head.find("Content-Type: application/problem+json"), std::string::npos)
      << reply.head;
  EXPECT_NE(reply.head.find("Connection: close"), std::string::npos) << reply.head;
  auto const body = json::parse(reply.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << reply.body;
  EXPECT_EQ(body.value("type", ""), "urn:daxd:problem:" + type);
  EXPECT_EQ(body.value("status", 0U), status);
}

/// Sends `prefix`, then one byte of `drip` at a time, until the server closes or `stop` is set.
void trickle(RawConnection const& c, std::string const& prefix, std::string const& drip,
             std::atomic<bool> const& stop) {
  c.send(prefix);
  for (char const ch : drip) {
    if (stop) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    if (!c.send(std::string(1, ch))) return;  // cut off
  }
}

TEST(HardeningLimits, SlowClientsAreCutOffAndDelayNobody) {
  DaxdProcess daxd({"--header-timeout", "2", "--body-timeout", "2"});
  ASSERT_TRUE(daxd.ready()) << daxd.log();
  constexpr int kSlow = 20;
  std::vector<RawConnection> slow;
  for (int i = 0; i < kSlow; ++i) slow.emplace_back(daxd.socket(), kReadBound);
  std::atomic<bool> stop{false};
  std::vector<std::thread> tricklers;
  // Half send their header a byte at a time (the drip never ends the header), half a body.
  std::string const drip(400, 'X');  // 100 s at 4 bytes a second: far beyond either deadline
  for (int i = 0; i < kSlow; ++i) {
    std::string const prefix =
        i % 2 == 0 ? "GET /v1/regions HTTP/1.1\r\nHost: x\r\n"
                   : "POST /v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: 400\r\n\r\n";
    tricklers.emplace_back(trickle, std::cref(slow[static_cast<std::size_t>(i)]), prefix, drip,
                           std::cref(stop));
  }
  // Meanwhile everyone else is answered.
  for (int i = 0; i < 20; ++i) {
    auto const reply = raw_get(daxd.socket(), i % 2 ? "/v1/namespaces" : "/healthz");
    EXPECT_EQ(reply.status, 200U) << reply.head << daxd.log();
  }
  for (auto& c : slow) {
    EXPECT_EQ(c.read_until_closed(), "") << "a slow client is closed without an answer";
  }
  stop = true;
  for (auto& t : tricklers) t.join();
  EXPECT_EQ(raw_get(daxd.socket(), "/healthz").status, 200U);
}

TEST(HardeningLimits, OversizedHeaderAndBodyAre431And413AndTheConnectionCloses) {
  DaxdProcess daxd;
  ASSERT_TRUE(daxd.ready()) << daxd.log();
  {
    RawConnection c(daxd.socket(), kReadBound);
    std::string request = "GET /v1/regions HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 8; ++i)
      request += "X-Pad-" + std::to_string(i) + ": " + std::string(4000, 'a') + "\r\n";
    c.send(request + "\r\n");
    expect_problem(c.read_reply(), 431, "request_header_fields_too_large");
    EXPECT_EQ(c.read_until_closed(), "");
  }
  {
    RawConnection c(daxd.socket(), kReadBound);
    c.send(
        "POST /v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 2097152\r\n\r\n");
    c.send(std::string(64 << 10, ' '));  // some of it: the answer comes at the header
    expect_problem(c.read_reply(), 413, "payload_too_large");
    EXPECT_EQ(c.read_until_closed(), "");
  }
  {
    RawConnection c(daxd.socket(), kReadBound);  // chunked: the size is known only while reading
    c.send(
        "POST /v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n");
    std::string const chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
    for (int i = 0; i < 17 && c.send(chunk); ++i) {
    }
    expect_problem(c.read_reply(), 413, "payload_too_large");
  }
  EXPECT_EQ(raw_get(daxd.socket(), "/healthz").status, 200U);
  // Each refusal is a mutating request the audit log shows.
  auto const audit = json::parse(raw_get(daxd.socket(), "/v1/audit").body, nullptr, false);
  ASSERT_TRUE(audit.is_array()) << audit.dump();
  ASSERT_EQ(audit.size(), 2U) << audit.dump() << daxd.log();
  EXPECT_EQ(audit[0].value("status", 0), 413);
  EXPECT_EQ(audit[1].value("status", 0), 413);
}

TEST(HardeningLimits, ThousandsOfIdleConnectionsFitAndTheMaximumIsRefusedCleanly) {
  constexpr int kIdle = 3000;
  constexpr int kMax = 3050;
  constexpr int kExtra = 100;
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_max < kIdle + kExtra + 200) {
    GTEST_SKIP() << "the hard RLIMIT_NOFILE (" << lim.rlim_max << ") is too low for "
                 << kIdle + kExtra << " connections";
  }
  // daxd starts with the usual soft limit of 1024 descriptors and must raise it itself.
  unsigned long const previous = set_open_file_limit(1024);
  DaxdProcess daxd({"--max-connections", std::to_string(kMax), "--idle-timeout", "600"});
  set_open_file_limit(previous > kIdle + kExtra + 200 ? previous : kIdle + kExtra + 200);
  ASSERT_TRUE(daxd.ready()) << daxd.log();

  std::vector<RawConnection> idle;
  idle.reserve(kIdle);
  for (int i = 0; i < kIdle; ++i) {
    idle.emplace_back(daxd.socket(), kReadBound);
    ASSERT_TRUE(idle.back().ok()) << "connection " << i;
  }
  // Accepted in order: once this one is answered, all idle ones are sessions.
  auto const fresh = raw_get(daxd.socket(), "/v1/namespaces");
  EXPECT_EQ(fresh.status, 200U) << fresh.head << daxd.log();

  std::vector<RawConnection> extra;
  for (int i = 0; i < kExtra; ++i) extra.emplace_back(daxd.socket(), kReadBound);
  int answered = 0;
  int refused = 0;
  for (auto& c : extra) {
    c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");  // a refused one may be closed already
    auto const reply = c.read_reply();
    if (reply.status == 200U) ++answered;
    if (reply.status == 503U) {
      ++refused;
      expect_problem(reply, 503, "too_many_connections");
      EXPECT_EQ(c.read_until_closed(), "");
    }
  }
  EXPECT_EQ(answered + refused, kExtra) << "every extra connection is answered";
  EXPECT_GE(refused, kIdle + kExtra - kMax) << "beyond the maximum";
  EXPECT_GE(answered, 1) << "up to the maximum";

  // The idle ones still work, and closing them frees the slots.
  idle.front().send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(idle.front().read_reply().status, 200U);
  idle.clear();
  extra.clear();
  unsigned status = 0;
  for (int i = 0; i < 200 && status != 200U; ++i) {
    status = raw_get(daxd.socket(), "/healthz").status;
    if (status != 200U) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 200U) << daxd.log();
  EXPECT_EQ(daxd.stop(), 0) << daxd.log();
}

}  // namespace
}  // namespace daxd::testing
