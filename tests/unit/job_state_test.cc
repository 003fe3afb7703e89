#include "coordinator/job_state.h"

#include <set>
#include <utility>

#include "gtest/gtest.h"

namespace tandem {
namespace {

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
      EXPECT_EQ(s.ok(), legal.count({f, t}) > 0) << StateName(f) << " -> " << StateName(t);
      if (!s.ok()) {
        EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
        EXPECT_NE(s.message().find(StateName(f)), absl::string_view::npos);
        EXPECT_NE(s.message().find(StateName(t)), absl::string_view::npos);
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 64);
}

TEST(JobStateTest, TerminalStatesHaveNoWayOut) {
  for (JobState s : {v1::JOB_STATE_SUCCEEDED, v1::JOB_STATE_FAILED, v1::JOB_STATE_CANCELLED}) {
    EXPECT_TRUE(IsTerminal(s));
    EXPECT_FALSE(CheckTransition(s, v1::JOB_STATE_QUEUED).ok());
    EXPECT_FALSE(CheckTransition(s, v1::JOB_STATE_CANCELLED).ok());
  }
  EXPECT_FALSE(IsTerminal(v1::JOB_STATE_RUNNING));
}

TEST(JobStateTest, Names) {
  EXPECT_EQ(StateName(v1::JOB_STATE_WAITING_FOR_WORKERS), "waiting_for_workers");
  EXPECT_EQ(StateName(v1::JOB_STATE_QUEUED), "queued");
}

}  // namespace
}  // namespace tandem
