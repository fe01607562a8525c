// SPDX-License-Identifier: Apache-2.0
// The runner's other two kinds: an http hook against a small unix-socket HTTP server in this
// test, and an event hook acknowledged from another thread (and its timeout).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "api/hook_http_caller.h"
#include "tests/unit/hooks/hook_env.h"

namespace daxd::testing {
namespace {

using nlohmann::json;
using orchestrator::HookCall;
using orchestrator::HookPhase;
using std::chrono::milliseconds;

/// Answers every POST with `status`, or never answers when `silent`; keeps the bodies.
class UnixHttpServer {
 public:
  UnixHttpServer(std::string path, unsigned status, bool silent = false)
      : path_(std::move(path)), status_(status), silent_(silent) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof addr.sun_path - 1);
    ::unlink(path_.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~UnixHttpServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  std::vector<std::string> requests() {
    std::lock_guard const lock(mu_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      int const c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req = read_request(c);
      {
        std::lock_guard const lock(mu_);
        requests_.push_back(req);
      }
      if (!silent_) {
        std::string const body = status_ == 200 ? "" : "not now";
        std::string const res = "HTTP/1.1 " + std::to_string(status_) +
                                " X\r\nContent-Length: " + std::to_string(body.size()) +
                                "\r\nConnection: close\r\n\r\n" + body;
        if (::write(c, res.data(), res.size()) < 0) ADD_FAILURE() << "cannot answer";
      } else {
        char b;
        while (::read(c, &b, 1) > 0) {
        }  // until daxd gives up and closes
      }
      ::close(c);
    }
  }
  static std::string read_request(int c) {
    std::string req;
    char buf[1024];
    for (;;) {
      auto const head_end = req.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        auto const cl = req.find("Content-Length: ");
        std::size_t const len = cl == std::string::npos ? 0 : std::stoul(req.substr(cl + 16));
        if (req.size() >= head_end + 4 + len) return req;
      }
      ssize_t const n = ::read(c, buf, sizeof buf);
      if (n <= 0) return req;
      req.append(buf, static_cast<std::size_t>(n));
    }
  }

  std::string path_;
  unsigned status_;
  bool silent_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;
};

json body_of(std::string const& request) {
  return json::parse(request.substr(request.find("\r\n\r\n") + 4), nullptr, false);
}

HookCall quiesce_call(std::int64_t operation) {
  return HookCall{"vol", kMnt, operation, HookPhase::quiesce, milliseconds(1500)};
}

TEST(HttpHook, PostsTheCallToAUnixSocketAndJudgesTheStatus) {
  HookEnv env("http", api::http_hook_caller());
  env.make_mounted_volume();
  auto const sock = (env.dir / "app.sock").string();
  UnixHttpServer server(sock, 200);
  auto added = env.hooks->add({{"volume", "vol"},
                               {"name", "web"},
                               {"kind", "http"},
                               {"url", "unix:" + sock + ":/quiesce?v=1"},
                               {"timeout_ms", 2000}});
  ASSERT_TRUE(added) << added.error().message;
  auto const asked = env.hooks->quiesce(quiesce_call(42));
  ASSERT_TRUE(asked) << asked.error().message;
  EXPECT_EQ(*asked, (std::vector<std::int64_t>{added->hook.id}));
  EXPECT_TRUE(env.hooks->resume(quiesce_call(42), std::nullopt).empty());
  auto const reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].rfind("POST /quiesce?v=1 HTTP/1.1\r\n", 0), 0u) << reqs[0];
  EXPECT_NE(reqs[0].find("application/json"), std::string::npos) << reqs[0];
  EXPECT_EQ(body_of(reqs[0]), (json{{"phase", "quiesce"},
                                    {"volume", "vol"},
                                    {"mountpoint", kMnt},
                                    {"operation", 42},
                                    {"deadline_ms", 1500}}));
  EXPECT_EQ(body_of(reqs[1]).at("phase"), "resume");
}

TEST(HttpHook, ANon2xxAnswerOrSilenceFailsNamingTheHook) {
  HookEnv env("http-fail", api::http_hook_caller());
  env.make_mounted_volume();
  auto const busy_sock = (env.dir / "busy.sock").string();
  auto const mute_sock = (env.dir / "mute.sock").string();
  {
    UnixHttpServer busy(busy_sock, 503);
    ASSERT_TRUE(env.hooks->add(
        {{"volume", "vol"}, {"name", "busy"}, {"kind", "http"}, {"url", "unix:" + busy_sock}}));
    auto const failed = env.hooks->quiesce(quiesce_call(1));
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, Errc::busy);
    EXPECT_NE(failed.error().message.find("'busy'"), std::string::npos) << failed.error().message;
    EXPECT_NE(failed.error().message.find("answered 503: not now"), std::string::npos)
        << failed.error().message;
  }
  auto const listed = env.hooks->list("vol");
  ASSERT_TRUE(listed);
  ASSERT_TRUE(*env.hooks->remove(listed->at(0).id));
  UnixHttpServer mute(mute_sock, 200, /*silent=*/true);
  ASSERT_TRUE(env.hooks->add({{"volume", "vol"},
                              {"name", "mute"},
                              {"kind", "http"},
                              {"url", "unix:" + mute_sock + ":/q"},
                              {"timeout_ms", 100}}));
  auto const timed_out = env.hooks->quiesce(quiesce_call(2));
  ASSERT_FALSE(timed_out);
  EXPECT_EQ(timed_out.error().code, Errc::timeout) << timed_out.error().message;
  EXPECT_NE(timed_out.error().message.find("'mute'"), std::string::npos);
  // Nothing listens any more: unavailable, still naming the hook.
  ASSERT_TRUE(*env.hooks->remove(env.hooks->list("vol")->at(0).id));
  ASSERT_TRUE(env.hooks->add({{"volume", "vol"},
                              {"name", "gone"},
                              {"kind", "http"},
                              {"url", "unix:" + (env.dir / "none.sock").string()}}));
  auto const nobody = env.hooks->quiesce(quiesce_call(3));
  ASSERT_FALSE(nobody);
  EXPECT_NE(nobody.error().message.find("'gone'"), std::string::npos);
}

std::vector<orchestrator::Event> requests_in(RecordingSink& sink) {
  std::vector<orchestrator::Event> out;
  for (auto const& e : sink.snapshot()) {
    if (e.type == "quiesce-request") out.push_back(e);
  }
  return out;
}

TEST(EventHook, IsAcknowledgedFromAnotherThread) {
  HookEnv env("event");
  env.make_mounted_volume();
  auto added = env.hooks->add(
      {{"volume", "vol"}, {"name", "sub"}, {"kind", "event"}, {"timeout_ms", 10000}});
  ASSERT_TRUE(added) << added.error().message;
  std::int64_t const id = added->hook.id;
  EXPECT_EQ(env.hooks->acknowledge(id, 9, HookPhase::quiesce).error().code, Errc::conflict)
      << "nothing awaits it yet";
  EXPECT_EQ(env.hooks->acknowledge(id + 100, 9, HookPhase::quiesce).error().code, Errc::not_found);
  std::thread subscriber([&] {
    for (int i = 0; i < 1000 && requests_in(env.sink).empty(); ++i) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    auto const seen = requests_in(env.sink);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].object, "volume/vol");
    EXPECT_EQ(seen[0].data.at("operation"), 9);
    EXPECT_EQ(seen[0].data.at("hook"), id);
    EXPECT_EQ(seen[0].data.at("name"), "sub");
    EXPECT_EQ(seen[0].data.at("phase"), "quiesce");
    EXPECT_EQ(seen[0].data.at("deadline_ms"), 1500);
    EXPECT_EQ(env.hooks->acknowledge(id, 8, HookPhase::quiesce).error().code, Errc::conflict)
        << "another operation's request is not waiting";
    EXPECT_TRUE(env.hooks->acknowledge(id, 9, HookPhase::quiesce));
  });
  auto const asked = env.hooks->quiesce(quiesce_call(9));
  subscriber.join();
  ASSERT_TRUE(asked) << asked.error().message;
  EXPECT_EQ(*asked, (std::vector<std::int64_t>{id}));
  // Resume is announced, never awaited; its acknowledgement is accepted.
  EXPECT_TRUE(env.hooks->resume(quiesce_call(9), std::nullopt).empty());
  EXPECT_EQ(env.sink.snapshot().back().data.at("phase"), "resume");
  EXPECT_TRUE(env.hooks->acknowledge(id, 9, HookPhase::resume));
}

TEST(EventHook, TimesOutWithoutAnAcknowledgement) {
  HookEnv env("event-timeout");
  env.make_mounted_volume();
  auto added = env.hooks->add(
      {{"volume", "vol"}, {"name", "sleepy"}, {"kind", "event"}, {"timeout_ms", 50}});
  ASSERT_TRUE(added) << added.error().message;
  auto const asked = env.hooks->quiesce(quiesce_call(5));
  ASSERT_FALSE(asked);
  EXPECT_EQ(asked.error().code, Errc::timeout);
  EXPECT_NE(asked.error().message.find("'sleepy'"), std::string::npos);
  EXPECT_NE(asked.error().message.find("no acknowledgement within 50 ms"), std::string::npos)
      << asked.error().message;
  EXPECT_EQ(env.hooks->acknowledge(added->hook.id, 5, HookPhase::quiesce).error().code,
            Errc::conflict)
      << "too late: it timed out";
}

TEST(EventHook, AnAcknowledgedSetDaxCompletesThroughTheEngine) {
  HookEnv env("event-engine");
  env.make_mounted_volume();
  auto added = env.hooks->add(
      {{"volume", "vol"}, {"name", "sub"}, {"kind", "event"}, {"timeout_ms", 10000}});
  ASSERT_TRUE(added) << added.error().message;
  std::thread subscriber([&] {
    for (int i = 0; i < 1000 && requests_in(env.sink).empty(); ++i) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    auto const seen = requests_in(env.sink);
    ASSERT_FALSE(seen.empty());
    EXPECT_TRUE(
        env.hooks->acknowledge(added->hook.id, seen[0].data.at("operation"), HookPhase::quiesce));
  });
  Operation const op = env.run(orchestrator::kSetDax, env.set_dax("never", "wait", 200));
  subscriber.join();
  ASSERT_EQ(op.state, OperationState::completed) << op.error;
  auto const seen = requests_in(env.sink);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].data.at("operation"), op.id);
  EXPECT_EQ(seen[1].data.at("phase"), "resume");
}

}  // namespace
}  // namespace daxd::testing
