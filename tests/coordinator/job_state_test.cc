#include "coordinator/job_state.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace tandem {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::HasSubstr;

using v1::JobState;

// The full table of legal transitions (job.proto's diagram); everything else is illegal.
std::set<std::pair<JobState, JobState>> Legal() {
  std::set<std::pair<JobState, JobState>> legal = {
      {v1::JOB_STATE_QUEUED, v1::JOB_STATE_PREPARING},
      {v1::JOB_STATE_PREPARING, v1::JOB_STATE_WAITING_FOR_WORKERS},
      {v1::JOB_STATE_WAITING_FOR_WORKERS, v1::JOB_STATE_RUNNING},
      {v1::JOB_STATE_RUNNING, v1::JOB_STATE_SUCCEEDED},
      {v1::JOB_STATE_RUNNING, v1::JOB_STATE_WAITING_FOR_WORKERS},
  };
  for (JobState s : {v1::JOB_STATE_QUEUED, v1::JOB_STATE_PREPARING,
                     v1::JOB_STATE_WAITING_FOR_WORKERS, v1::JOB_STATE_RUNNING}) {
    legal.insert({s, v1::JOB_STATE_FAILED});
    legal.insert({s, v1::JOB_STATE_CANCELLED});
  }
  return legal;
}

TEST(JobStateTest, EveryPairMatchesTheTable) {
  const auto legal = Legal();
  int checked = 0;
  for (int from = v1::JobState_MIN; from <= v1::JobState_MAX; ++from) {
    for (int to = v1::JobState_MIN; to <= v1::JobState_MAX; ++to) {
      const auto f = static_cast<JobState>(from), t = static_cast<JobState>(to);
      const absl::Status s = CheckTransition(f, t);
      if (legal.count({f, t}) > 0) {
        EXPECT_OK(s) << StateName(f) << " -> " << StateName(t);
      } else {
        EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition,
                                HasSubstr(absl::StrCat("job state cannot change from ",
                                                       StateName(f), " to ", StateName(t)))));
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 64);
}

TEST(JobStateTest, TerminalStatesHaveNoWayOut) {
  for (JobState s : {v1::JOB_STATE_SUCCEEDED, v1::JOB_STATE_FAILED, v1::JOB_STATE_CANCELLED}) {
    EXPECT_TRUE(IsTerminal(s));
    EXPECT_THAT(CheckTransition(s, v1::JOB_STATE_QUEUED),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         HasSubstr(absl::StrCat("from ", StateName(s), " to queued"))));
    EXPECT_THAT(CheckTransition(s, v1::JOB_STATE_CANCELLED),
                StatusIs(absl::StatusCode::kFailedPrecondition,
                         HasSubstr(absl::StrCat("from ", StateName(s), " to cancelled"))));
  }
  EXPECT_FALSE(IsTerminal(v1::JOB_STATE_RUNNING));
}

TEST(JobStateTest, Names) {
  EXPECT_EQ(StateName(v1::JOB_STATE_WAITING_FOR_WORKERS), "waiting_for_workers");
  EXPECT_EQ(StateName(v1::JOB_STATE_QUEUED), "queued");
}

}  // namespace
}  // namespace tandem
