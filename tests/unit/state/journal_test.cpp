// SPDX-License-Identifier: Apache-2.0
// The operation journal: round trip through every state, recovery queries, step data.
#include "state/journal.h"

#include <gtest/gtest.h>

#include "state/state_store.h"

namespace daxd::state {
namespace {

Operation planned_op(std::string target = "volume/db") {
  Operation op;
  op.type = "set-dax";
  op.target = std::move(target);
  op.request = R"({"dax":false})";
  op.steps = {StepRecord{"quiesce", "volume/db: stop consumers", StepState::pending, false},
              StepRecord{"reload", "dm db: reload without dax", StepState::pending, true},
              StepRecord{"resume", "volume/db: resume consumers", StepState::pending, false}};
  return op;
}

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StateOptions options;
    options.now = [this] { return ++clock_ms_; };
    auto s = open_state(":memory:", options);
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }
  Journal& journal() { return store_->journal(); }

  std::int64_t clock_ms_ = 1000;
  std::unique_ptr<StateStore> store_;
};

TEST_F(JournalTest, BeginStoresThePlanPending) {
  Operation op = planned_op();
  op.state = OperationState::running;  // begin() starts every operation pending
  op.steps[0].state = StepState::done;
  auto id = journal().begin(op);
  ASSERT_TRUE(id) << id.error().message;
  auto got = journal().get(*id);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->id, *id);
  EXPECT_EQ(got->type, "set-dax");
  EXPECT_EQ(got->target, "volume/db");
  EXPECT_EQ(got->request, R"({"dax":false})");
  EXPECT_EQ(got->state, OperationState::pending);
  EXPECT_FALSE(got->past_commit);
  EXPECT_GT(got->created_at_ms, 1000);
  EXPECT_EQ(got->finished_at_ms, 0);
  ASSERT_EQ(got->steps.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got->steps[i].name, op.steps[i].name);
    EXPECT_EQ(got->steps[i].description, op.steps[i].description);
    EXPECT_EQ(got->steps[i].commit_point, op.steps[i].commit_point);
    EXPECT_EQ(got->steps[i].state, StepState::pending);
  }
}

TEST_F(JournalTest, RoundTripThroughEveryState) {
  auto id = journal().begin(planned_op()).value();
  ASSERT_TRUE(journal().set_state(id, OperationState::running));
  ASSERT_TRUE(journal().step_intent(id, 0));
  EXPECT_EQ(journal().get(id)->steps[0].state, StepState::intent);
  ASSERT_TRUE(journal().step_done(id, 0));
  ASSERT_TRUE(journal().step_intent(id, 1, R"({"table":"old"})"));
  ASSERT_TRUE(journal().step_failed(id, 1, "dm db: reload: invalid argument"));
  ASSERT_TRUE(journal().set_state(id, OperationState::rolling_back, "reload failed"));
  ASSERT_TRUE(journal().step_undoing(id, 0));
  EXPECT_EQ(journal().get(id)->steps[0].state, StepState::undoing);
  ASSERT_TRUE(journal().step_undone(id, 0));
  ASSERT_TRUE(journal().record_times(id, /*stopped_ms=*/42, /*frozen_ms=*/17));
  ASSERT_TRUE(journal().set_state(id, OperationState::rolled_back));

  auto op = journal().get(id).value();
  EXPECT_EQ(op.state, OperationState::rolled_back);
  EXPECT_EQ(op.error, "reload failed");  // an empty error on the last change keeps the first
  EXPECT_GT(op.finished_at_ms, op.created_at_ms);
  EXPECT_EQ(op.stopped_ms, 42);
  EXPECT_EQ(op.frozen_ms, 17);
  EXPECT_EQ(op.steps[0].state, StepState::undone);
  EXPECT_EQ(op.steps[1].state, StepState::failed);
  EXPECT_EQ(op.steps[2].state, StepState::pending);
  auto failed = journal().step(id, 1).value();
  EXPECT_EQ(failed.error, "dm db: reload: invalid argument");
  EXPECT_EQ(failed.data_json, R"({"table":"old"})");
}

TEST_F(JournalTest, CompletedOperationPastCommit) {
  auto id = journal().begin(planned_op()).value();
  ASSERT_TRUE(journal().set_state(id, OperationState::running));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(journal().step_intent(id, i));
    ASSERT_TRUE(journal().step_done(id, i));
    if (i == 1) {
      ASSERT_TRUE(journal().mark_past_commit(id));
    }
  }
  ASSERT_TRUE(journal().set_state(id, OperationState::completed));
  auto op = journal().get(id).value();
  EXPECT_TRUE(op.past_commit);
  EXPECT_EQ(op.state, OperationState::completed);
  for (auto const& s : op.steps) EXPECT_EQ(s.state, StepState::done);
}

TEST_F(JournalTest, AFinalStateIsNeverLeft) {
  auto id = journal().begin(planned_op()).value();
  ASSERT_TRUE(journal().set_state(id, OperationState::failed, "hook timed out"));
  auto r = journal().set_state(id, OperationState::running);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::internal);
  EXPECT_EQ(journal().get(id)->state, OperationState::failed);
  EXPECT_TRUE(journal().set_state(id, OperationState::failed));  // same state: no change
}

TEST_F(JournalTest, StepDataIsKeptPerStepAndReplacedOnlyWhenGiven) {
  auto id = journal().begin(planned_op()).value();
  ASSERT_TRUE(journal().step_intent(id, 0, R"({"dev":"namespace0.1"})"));
  ASSERT_TRUE(journal().step_done(id, 0));  // no data: keeps the intent's
  ASSERT_TRUE(journal().step_intent(id, 1, R"({"a":1})"));
  ASSERT_TRUE(journal().step_done(id, 1, R"({"a":2})"));
  EXPECT_EQ(journal().step_data(id, 0).value(), R"({"dev":"namespace0.1"})");
  EXPECT_EQ(journal().step_data(id, 1).value(), R"({"a":2})");
  EXPECT_EQ(journal().step_data(id, 2).value(), "");
  ASSERT_TRUE(journal().set_step_data(id, 2, R"({"b":3})"));
  auto all = journal().steps(id).value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].data_json, R"({"b":3})");
  EXPECT_EQ(all[2].record.state, StepState::pending);
}

TEST_F(JournalTest, UnknownOperationsAndStepsAreNotFound) {
  auto id = journal().begin(planned_op()).value();
  EXPECT_EQ(journal().get(id + 1).error().code, Errc::not_found);
  EXPECT_EQ(journal().set_state(id + 1, OperationState::running).error().code, Errc::not_found);
  EXPECT_EQ(journal().mark_past_commit(id + 1).error().code, Errc::not_found);
  EXPECT_EQ(journal().record_times(id + 1, 1, 1).error().code, Errc::not_found);
  EXPECT_EQ(journal().step_intent(id, 3).error().code, Errc::not_found);
  EXPECT_EQ(journal().step_done(id + 1, 0).error().code, Errc::not_found);
  EXPECT_EQ(journal().step_data(id, -1).error().code, Errc::not_found);
  EXPECT_EQ(journal().steps(id + 1).error().code, Errc::not_found);
  auto r = journal().step_intent(id, 7);
  EXPECT_EQ(r.error().message, "operation " + std::to_string(id) + " step 7: not in the journal");
}

TEST_F(JournalTest, UnfinishedFindsOnlyNonFinalOperationsOldestFirst) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 6; ++i)
    ids.push_back(journal().begin(planned_op("volume/v" + std::to_string(i))).value());
  ASSERT_TRUE(journal().set_state(ids[1], OperationState::running));
  ASSERT_TRUE(journal().set_state(ids[2], OperationState::rolling_back));
  ASSERT_TRUE(journal().set_state(ids[3], OperationState::completed));
  ASSERT_TRUE(journal().set_state(ids[4], OperationState::rolled_back));
  ASSERT_TRUE(journal().set_state(ids[5], OperationState::failed));
  auto open = journal().unfinished();
  ASSERT_TRUE(open) << open.error().message;
  ASSERT_EQ(open->size(), 3u);
  EXPECT_EQ((*open)[0].id, ids[0]);
  EXPECT_EQ((*open)[0].state, OperationState::pending);
  EXPECT_EQ((*open)[1].id, ids[1]);
  EXPECT_EQ((*open)[2].id, ids[2]);
  EXPECT_EQ((*open)[2].steps.size(), 3u);
}

TEST_F(JournalTest, ListIsNewestFirstWithOffset) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(journal().begin(planned_op()).value());
  auto page = journal().list(/*limit=*/2, /*offset=*/1);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, ids[3]);
  EXPECT_EQ((*page)[1].id, ids[2]);
  EXPECT_EQ((*page)[1].steps.size(), 3u);
  EXPECT_EQ(journal().list(10, 0)->size(), 5u);
  EXPECT_TRUE(journal().list(10, 5)->empty());
}

TEST_F(JournalTest, OperationWithoutStepsRoundTrips) {
  Operation op;
  op.type = "noop";
  op.target = "region/region0";
  op.created_at_ms = 5;
  auto id = journal().begin(op).value();
  auto got = journal().get(id).value();
  EXPECT_EQ(got.created_at_ms, 5);
  EXPECT_TRUE(got.steps.empty());
}

}  // namespace
}  // namespace daxd::state
