// SPDX-License-Identifier: Apache-2.0
// Entity tags from bytes, If-None-Match lists and the kept list bodies.
#include "api/entity_tag.h"

#include <gtest/gtest.h>

#include <string>

#include "api/rendered_bodies.h"

namespace daxd::api {
namespace {

TEST(EntityTag, IsAQuotedHashOfTheBytes) {
  auto const tag = entity_tag("[1,2]");
  ASSERT_EQ(tag.size(), 18U);
  EXPECT_EQ(tag.front(), '"');
  EXPECT_EQ(tag.back(), '"');
  EXPECT_EQ(entity_tag("[1,2]"), tag);
  EXPECT_NE(entity_tag("[1,3]"), tag);
}

TEST(EntityTag, NoneMatchTakesListsWeakTagsAndTheStar) {
  std::string const tag = "\"00ab\"";
  EXPECT_TRUE(none_match_hits("\"00ab\"", tag));
  EXPECT_TRUE(none_match_hits("\"x\", \"00ab\"", tag));
  EXPECT_TRUE(none_match_hits("\"x\",W/\"00ab\"", tag));
  EXPECT_TRUE(none_match_hits(" * ", tag));
  EXPECT_FALSE(none_match_hits("\"00ac\"", tag));
  EXPECT_FALSE(none_match_hits("00ab", tag));  // unquoted: not the same tag
  EXPECT_FALSE(none_match_hits("\"x\", ", tag));
}

TEST(EntityTag, ConditionalGetIs304OnlyForAMatchingSuccessfulGet) {
  Response ok;
  ok.body = "[]";
  Request get;
  get.method = "GET";
  answer_conditional_get(get, ok);
  ASSERT_EQ(ok.headers.size(), 1U);
  EXPECT_EQ(ok.headers[0].first, "ETag");
  EXPECT_EQ(ok.status, 200U);

  get.if_none_match = ok.headers[0].second;
  Response again;
  again.body = "[]";
  answer_conditional_get(get, again);
  EXPECT_EQ(again.status, 304U);
  EXPECT_EQ(again.body, "");
  EXPECT_EQ(again.headers[0].second, get.if_none_match);

  Response changed;
  changed.body = "[1]";
  answer_conditional_get(get, changed);
  EXPECT_EQ(changed.status, 200U);
  EXPECT_EQ(changed.body, "[1]");

  Response problem;
  problem.status = 404;
  problem.body = "[]";
  answer_conditional_get(get, problem);
  EXPECT_EQ(problem.status, 404U);
  EXPECT_TRUE(problem.headers.empty());

  Request post = get;
  post.method = "POST";
  Response created;
  created.body = "[]";
  answer_conditional_get(post, created);
  EXPECT_EQ(created.status, 200U);
  EXPECT_TRUE(created.headers.empty());
}

TEST(RenderedBodies, RendersOncePerViewAndTarget) {
  RenderedBodies bodies;
  int renders = 0;
  auto render = [&] { return "body" + std::to_string(++renders); };
  auto const first = bodies.get("/v1/namespaces", 1, render);
  EXPECT_EQ(first->body, "body1");
  EXPECT_EQ(first->etag, entity_tag("body1"));
  EXPECT_EQ(bodies.get("/v1/namespaces", 1, render), first);
  EXPECT_EQ(bodies.get("/v1/regions", 1, render)->body, "body2");
  EXPECT_EQ(bodies.get("/v1/namespaces", 2, render)->body, "body3");  // a newer view
  EXPECT_EQ(bodies.get("/v1/namespaces", 2, render)->body, "body3");
  EXPECT_EQ(renders, 3);
}

TEST(RenderedBodies, AnOlderViewIsRenderedButNotKept) {
  RenderedBodies bodies;
  int renders = 0;
  auto render = [&] { return std::to_string(++renders); };
  bodies.get("/v1/namespaces", 5, render);
  EXPECT_EQ(bodies.get("/v1/namespaces", 4, render)->body, "2");
  EXPECT_EQ(bodies.get("/v1/namespaces", 4, render)->body, "3");
  EXPECT_EQ(bodies.get("/v1/namespaces", 5, render)->body, "1");
}

TEST(RenderedBodies, KeepsABoundedNumberOfTargets) {
  RenderedBodies bodies;
  int renders = 0;
  auto render = [&] { return std::to_string(++renders); };
  for (int i = 0; i < 100; ++i)
    bodies.get("/v1/namespaces?region=r" + std::to_string(i), 1, render);
  EXPECT_EQ(renders, 100);
  bodies.get("/v1/namespaces?region=r0", 1, render);  // among the first kept
  EXPECT_EQ(renders, 100);
  bodies.get("/v1/namespaces?region=r99", 1, render);  // past the bound: rendered again
  EXPECT_EQ(renders, 101);
}

}  // namespace
}  // namespace daxd::api
