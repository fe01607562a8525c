// SPDX-License-Identifier: Apache-2.0
// The real daxd on the sim host under 64 concurrent clients mixing reads, conflicting mutations
// of one object and independent mutations: no 5xx, no hang, conflicts 409 or serialised, every
// operation final afterwards, the world as the answers said, and every mutation in the audit log.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/client/client.h"
#include "tests/integration/daemon_cli/daxd_process.h"

namespace daxd::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kClients = 64;
constexpr int kVolumes = 4;
constexpr std::chrono::milliseconds kRequestBound{120000};  // only a hung daxd reaches it

int load_seconds() {
  char const* text = std::getenv("DAXD_HARDENING_LOAD_SECONDS");
  return text != nullptr && std::atoi(text) > 0 ? std::atoi(text) : 60;
}

/// What the clients saw, for the assertions after the run.
struct Tally {
  std::mutex mutex;
  std::vector<std::string> failures;        // 5xx, transport errors, unexpected statuses
  std::map<unsigned, int> statuses;         // every status answered
  std::map<std::string, bool> independent;  // namespace -> exists per the last definite answer
  int conflicts = 0;                        // 409s on the shared objects

  void record(std::string const& what, Result<api_client::HttpResponse> const& res,
              std::set<unsigned> const& allowed) {
    std::lock_guard const lock(mutex);
    if (!res) {
      failures.push_back(what + ": " + res.error().message);
      return;
    }
    ++statuses[res->status];
    if (res->status == 409) ++conflicts;
    if (!allowed.contains(res->status)) {
      failures.push_back(what + ": " + std::to_string(res->status) + " " + res->body);
    }
    if (res->status == 409 && res->content_type != "application/problem+json") {
      failures.push_back(what + ": 409 without problem+json");
    }
  }
};

class HardeningLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(daxd_.ready()) << daxd_.log();
    for (int v = 0; v < kVolumes; ++v) {
      std::string const ns = "vn" + std::to_string(v);
      auto const created = call("POST", "/v1/namespaces?wait=60",
                                json{{"name", ns}, {"region", "region1"}, {"size", "256M"}});
      ASSERT_EQ(created.status, 201U) << created.body << daxd_.log();
      auto const vol = call("POST", "/v1/volumes?wait=60",
                            json{{"name", "vol" + std::to_string(v)},
                                 {"namespaces", {ns}},
                                 {"filesystem", "ext4"},
                                 {"mountpoint", "/mnt/hard" + std::to_string(v)},
                                 {"dax", "always"}});
      ASSERT_EQ(vol.status, 201U) << vol.body << daxd_.log();
    }
  }

  api_client::HttpResponse call(std::string const& method, std::string const& target,
                                json const& body = nullptr) {
    auto res = client_.request(method, target, body.is_null() ? "" : body.dump());
    EXPECT_TRUE(res) << method << " " << target << ": " << res.error().message;
    return res ? *res : api_client::HttpResponse{};
  }

  /// Every operation in the journal, paging through /v1/operations.
  json all_operations() {
    json all = json::array();
    for (int offset = 0;; offset += 1000) {
      auto const page = json::parse(
          call("GET", "/v1/operations?limit=1000&offset=" + std::to_string(offset)).body, nullptr,
          false);
      if (!page.is_array() || page.empty()) return all;
      for (auto const& op : page) all.push_back(op);
    }
  }

  void client_loop(int i, Clock::time_point end);

  DaxdProcess daxd_;
  api_client::Client client_{daxd_.socket(), kRequestBound};
  Tally tally_;
};

void HardeningLoad::client_loop(int i, Clock::time_point end) {
  api_client::Client client(daxd_.socket(), kRequestBound);
  std::string const independent = "ind" + std::to_string(i);
  std::string const region = i % 2 ? "region1" : "region0";
  int n = 0;
  while (Clock::now() < end) {
    ++n;
    switch (i % 4) {
      case 0: {  // reads
        static char const* const kReads[] = {
            "/v1/namespaces",         "/v1/regions", "/v1/volumes", "/healthz",
            "/v1/operations?limit=5", "/v1/audit"};
        std::string const target = kReads[n % 6];
        tally_.record("GET " + target, client.request("GET", target), {200});
        break;
      }
      case 1: {  // conflicting: everyone creates and destroys the same namespace
        if (n % 2) {
          auto const body = json{{"name", "shared"}, {"region", "region0"}, {"size", "128M"}};
          tally_.record("create shared",
                        client.request("POST", "/v1/namespaces?wait=30", body.dump()),
                        {200, 201, 202, 409});
        } else {
          tally_.record("destroy shared",
                        client.request("DELETE", "/v1/namespaces/shared?wait=30&force=true"),
                        {200, 202, 404, 409});
        }
        break;
      }
      case 2: {  // independent: each client its own namespace
        bool const create = n % 2 == 1;
        auto const res =
            create
                ? client.request(
                      "POST", "/v1/namespaces?wait=30",
                      json{{"name", independent}, {"region", region}, {"size", "64M"}}.dump())
                : client.request("DELETE", "/v1/namespaces/" + independent + "?wait=30&force=true");
        tally_.record((create ? "create " : "destroy ") + independent, res,
                      {200, 201, 202, 404, 409});
        std::lock_guard const lock(tally_.mutex);
        if (res && (res->status == 201 || (res->status == 200 && create))) {
          tally_.independent[independent] = true;
        } else if (res && (res->status == 404 || (res->status == 200 && !create))) {
          tally_.independent[independent] = false;
        } else if (res && res->status == 202) {
          tally_.independent.erase(independent);  // still running: not a definite answer
        }
        break;
      }
      case 3: {  // set-dax, four clients per volume: conflicting too
        std::string const vol = "vol" + std::to_string((i / 4) % kVolumes);
        auto const body = json{{"dax", n % 2 ? "never" : "always"}};
        tally_.record("set-dax " + vol,
                      client.request("PATCH", "/v1/volumes/" + vol + "?wait=30", body.dump()),
                      {200, 202, 409});
        break;
      }
    }
  }
}

TEST_F(HardeningLoad, SixtyFourClientsMixingReadsConflictsAndIndependentMutations) {
  auto const end = Clock::now() + std::chrono::seconds(load_seconds());
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) clients.emplace_back([this, i, end] { client_loop(i, end); });
  for (auto& t : clients) t.join();

  for (auto const& f : tally_.failures) ADD_FAILURE() << f;
  for (auto const& [status, count] : tally_.statuses) {
    EXPECT_LT(status, 500U) << count << " answers with " << status;
  }
  EXPECT_GT(tally_.statuses[200], 0);
  RecordProperty("conflicts_409", tally_.conflicts);
  std::string summary;
  for (auto const& [status, count] : tally_.statuses) {
    summary += " " + std::to_string(status) + ":" + std::to_string(count);
  }
  std::printf("load: answers by status%s\n", summary.c_str());

  // Afterwards: every operation reaches a final state, none is left failed half-way.
  json ops;
  bool all_final = false;
  for (int i = 0; i < 600 && !all_final; ++i) {
    ops = all_operations();
    all_final = std::all_of(ops.begin(), ops.end(), [](json const& op) {
      auto const state = op.value("state", "");
      return state == "completed" || state == "rolled_back" || state == "failed";
    });
    if (!all_final) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(all_final) << ops.dump();
  std::printf("load: %zu operations in the journal, all final\n", ops.size());
  std::set<std::int64_t> op_ids;
  for (auto const& op : ops) {
    EXPECT_NE(op.value("state", ""), "failed") << op.dump();
    op_ids.insert(op.at("id").get<std::int64_t>());
  }

  // The world is what the definite answers said.
  auto const namespaces = json::parse(call("GET", "/v1/namespaces").body, nullptr, false);
  ASSERT_TRUE(namespaces.is_array()) << namespaces.dump();
  std::set<std::string> present;
  for (auto const& ns : namespaces) present.insert(ns.value("name", ""));
  for (auto const& [name, exists] : tally_.independent) {
    EXPECT_EQ(present.contains(name), exists) << name;
  }

  // Every operation a request started is in the audit log with its id.
  std::set<std::int64_t> audited;
  for (int offset = 0;; offset += 1000) {
    auto const page = json::parse(
        call("GET", "/v1/audit?limit=1000&offset=" + std::to_string(offset)).body, nullptr, false);
    ASSERT_TRUE(page.is_array()) << page.dump();
    if (page.empty()) break;
    for (auto const& row : page) {
      EXPECT_EQ(row.at("peer").at("pid"), ::getpid()) << row.dump();
      if (row.at("operation").is_number_integer()) {
        audited.insert(row.at("operation").get<std::int64_t>());
      }
    }
  }
  for (auto const id : op_ids) EXPECT_TRUE(audited.contains(id)) << "operation " << id;
  EXPECT_EQ(daxd_.stop(), 0) << daxd_.log();
}

}  // namespace
}  // namespace daxd::testing
