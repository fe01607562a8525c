// SPDX-License-Identifier: Apache-2.0
// The server-sent event parser on chunks split anywhere, and Client::stream on a fake daxd.
#include "api/client/sse.h"

#include <gtest/gtest.h>

#include "api/client/client.h"
#include "tests/unit/cli/fake_daxd.h"

namespace daxd::api_client {

// For gtest's messages; ADL finds it beside SseEvent.
std::ostream& operator<<(std::ostream& os, SseEvent const& e) {
  return os << "{id=" << e.id << " event=" << e.event << " data=" << e.data << "}";
}

namespace {

using cli::testing::FakeDaxd;

std::vector<SseEvent> parse_all(std::vector<std::string> const& chunks) {
  SseParser parser;
  std::vector<SseEvent> out;
  for (auto const& c : chunks) {
    EXPECT_TRUE(parser.feed(c, [&](SseEvent const& e) {
      out.push_back(e);
      return true;
    }));
  }
  return out;
}

constexpr char kTwoEvents[] =
    ": keep-alive\n\nid: 7\nevent: operation\ndata: {\"a\":1}\n\n"
    ":comment\nid: 8\nevent: operation\ndata: line one\ndata: line two\n\n";

TEST(Sse, ParsesIdsTypesCommentsAndMultiLineData) {
  auto const events = parse_all({kTwoEvents});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], (SseEvent{"7", "operation", "{\"a\":1}"}));
  EXPECT_EQ(events[1], (SseEvent{"8", "operation", "line one\nline two"}));
}

TEST(Sse, EverySplitGivesTheSameEvents) {
  std::string const text = kTwoEvents;
  auto const whole = parse_all({text});
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    EXPECT_EQ(parse_all({text.substr(0, cut), text.substr(cut)}), whole) << "cut at " << cut;
  }
  std::vector<std::string> bytes;
  for (char const c : text) bytes.emplace_back(1, c);
  EXPECT_EQ(parse_all(bytes), whole);
}

TEST(Sse, CrLfAndCrLineEndsAndFieldsWithoutSpace) {
  auto const events = parse_all({"id:3\r\nevent:x\r\ndata:a\r", "\ndata: b\r\r", "data:c\n\n"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0], (SseEvent{"3", "x", "a\nb"}));
  EXPECT_EQ(events[1], (SseEvent{"3", "message", "c"}));  // the id persists, the type does not
}

TEST(Sse, NoDataNoEventAndAnUnfinishedEventIsHeldBack) {
  EXPECT_TRUE(parse_all({"id: 1\nevent: x\n\n", "retry: 10\n\n"}).empty());
  EXPECT_TRUE(parse_all({"data: half\n"}).empty());
}

TEST(Sse, StopsWhenTheCallbackSaysSo) {
  SseParser parser;
  int calls = 0;
  EXPECT_FALSE(parser.feed(kTwoEvents, [&](SseEvent const&) {
    ++calls;
    return false;
  }));
  EXPECT_EQ(calls, 1);
}

TEST(ClientStream, ReadsEventsUntilTheServerEndsTheStream) {
  FakeDaxd fake({cli::testing::sse_reply(
      {": keep-alive\n\n", "id: 1\nevent: operation\nda", "ta: {\"x\":1}\n\nid: 2\ndata: y\n\n"},
      /*hold_open=*/false)});
  Client client(fake.socket());
  std::vector<SseEvent> got;
  auto const r =
      client.stream("/v1/events?since=0", {{"Last-Event-ID", "0"}}, [&](SseEvent const& e) {
        got.push_back(e);
        return true;
      });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, "");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (SseEvent{"1", "operation", "{\"x\":1}"}));
  EXPECT_EQ(got[1], (SseEvent{"2", "message", "y"}));
  ASSERT_EQ(fake.requests().size(), 1u);
  EXPECT_EQ(fake.requests()[0].request_line(), "GET /v1/events?since=0 HTTP/1.1");
  EXPECT_NE(fake.requests()[0].head.find("Last-Event-ID: 0"), std::string::npos);
  EXPECT_NE(fake.requests()[0].head.find("text/event-stream"), std::string::npos);
}

TEST(ClientStream, CallbackEndsAnEndlessStream) {
  FakeDaxd fake({cli::testing::sse_reply({"data: 1\n\n", "data: 2\n\n"}, /*hold_open=*/true)});
  Client client(fake.socket());
  int seen = 0;
  auto const r = client.stream("/v1/events", {}, [&](SseEvent const&) { return ++seen < 2; });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(seen, 2);
}

TEST(ClientStream, AnErrorAnswerIsReturnedWhole) {
  std::string const body = R"({"type":"urn:daxd:problem:unavailable","detail":"starting"})";
  FakeDaxd fake({cli::testing::json_reply(503, body, "application/problem+json")});
  Client client(fake.socket());
  auto const r = client.stream("/v1/events", {}, [](SseEvent const&) { return true; });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 503u);
  EXPECT_EQ(r->body, body);
}

TEST(ClientRequest, PerRequestTimeoutOverridesTheDefault) {
  auto slow = cli::testing::json_reply(200, "{}");
  slow.delay_ms = 300;
  FakeDaxd fake({slow, slow});
  Client client(fake.socket(), std::chrono::milliseconds(100));
  auto const timed_out = client.request("GET", "/v1/operations/1?wait=5");
  ASSERT_FALSE(timed_out);
  EXPECT_EQ(timed_out.error().code, Errc::timeout);
  auto const r = client.request("GET", "/v1/operations/1?wait=5", {}, "application/json",
                                std::chrono::seconds(10));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200u);
}

}  // namespace
}  // namespace daxd::api_client
