// SPDX-License-Identifier: Apache-2.0
// Exit code mapping, problem+json parsing and the error text daxadm prints.
#include <gtest/gtest.h>

#include "api/client/problem.h"
#include "cli/app.h"
#include "cli/exit_codes.h"

namespace daxd::cli {
namespace {

TEST(ExitCodes, AnythingDaxdReportsIsOne) {
  for (Errc const c : {Errc::invalid_argument, Errc::not_found, Errc::busy, Errc::unavailable,
                       Errc::permission_denied, Errc::timeout, Errc::internal}) {
    EXPECT_EQ(exit_code_for(c, ErrorOrigin::daxd), kExitFailure) << to_string(c);
  }
}

TEST(ExitCodes, UnreachableDaxdAndBadArgumentsAreTwo) {
  EXPECT_EQ(exit_code_for(Errc::unavailable, ErrorOrigin::client), kExitUsage);
  EXPECT_EQ(exit_code_for(Errc::timeout, ErrorOrigin::client), kExitUsage);
  EXPECT_EQ(exit_code_for(Errc::invalid_argument, ErrorOrigin::client), kExitUsage);
  EXPECT_EQ(exit_code_for(Errc::io_error, ErrorOrigin::client), kExitUsage);
  EXPECT_EQ(exit_code_for(Errc::internal, ErrorOrigin::client), kExitFailure);
}

TEST(Problem, BusyWithBlockers) {
  api_client::HttpResponse r;
  r.status = 409;
  r.content_type = "application/problem+json";
  r.body = R"({"type":"urn:daxd:problem:busy","title":"busy","status":409,
    "detail":"db: cannot switch dax off: mapped with MAP_SYNC",
    "blockers":[{"kind":"mapping","pid":1234,"command":"postgres","path":"/mnt/db/wal",
                 "map_sync":true,"dax":true},
                {"kind":"mount","path":"/mnt/db"}]})";
  Error const e = api_client::error_from_response(r);
  EXPECT_EQ(e.code, Errc::busy);
  EXPECT_EQ(e.message, "db: cannot switch dax off: mapped with MAP_SYNC");
  ASSERT_EQ(e.blockers.size(), 2u);
  EXPECT_EQ(e.blockers[0], (Consumer{ConsumerKind::mapping, 1234, "postgres", "/mnt/db/wal",
                                     /*map_sync=*/true, /*dax=*/true}));
  EXPECT_EQ(e.blockers[1].kind, ConsumerKind::mount);
  EXPECT_EQ(e.blockers[1].pid, 0);
  EXPECT_EQ(format_error(e),
            "daxadm: db: cannot switch dax off: mapped with MAP_SYNC\n"
            "  blocked by pid 1234 (postgres): mapping /mnt/db/wal (MAP_SYNC)\n"
            "  blocked by mount /mnt/db\n");
}

TEST(Problem, EveryErrcRoundTripsThroughTheUrn) {
  for (Errc const c :
       {Errc::invalid_argument, Errc::not_found, Errc::already_exists, Errc::conflict, Errc::busy,
        Errc::permission_denied, Errc::unsupported, Errc::no_space, Errc::io_error, Errc::timeout,
        Errc::unavailable, Errc::internal}) {
    api_client::HttpResponse r{500, "application/problem+json",
                               R"({"type":"urn:daxd:problem:)" + std::string(to_string(c)) +
                                   R"(","title":"t","status":500,"detail":"d"})"};
    EXPECT_EQ(api_client::error_from_response(r).code, c);
  }
}

TEST(Problem, FallsBackToStatusAndTitle) {
  api_client::HttpResponse r{404, "application/problem+json",
                             R"({"type":"about:blank","title":"no such route"})"};
  Error const e = api_client::error_from_response(r);
  EXPECT_EQ(e.code, Errc::not_found);
  EXPECT_EQ(e.message, "no such route");

  api_client::HttpResponse const plain{502, "text/plain", "bad gateway"};
  Error const p = api_client::error_from_response(plain);
  EXPECT_EQ(p.code, Errc::internal);
  EXPECT_EQ(p.message, "daxd answered http status 502: bad gateway");
  EXPECT_EQ(api_client::error_from_response({403, "application/problem+json", "{"}).code,
            Errc::permission_denied);
}

TEST(Problem, CauseIsKept) {
  api_client::HttpResponse r{500, "application/problem+json",
                             R"({"type":"urn:daxd:problem:io_error","detail":"reload failed",)"
                             R"("cause":"rollback: resume failed"})"};
  EXPECT_EQ(format_error(api_client::error_from_response(r)),
            "daxadm: reload failed\n  also: rollback: resume failed\n");
}

}  // namespace
}  // namespace daxd::cli
