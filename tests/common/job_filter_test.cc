// JobMatcher: `tandem list`'s filters and ListJobsRequest's, and FilterJobs over a listing.
#include "common/job_filter.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace tandem {
namespace {

using ::tandem::testing::IsOkAndHolds;
using ::tandem::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The ids of the jobs that match the filters (as `tandem list` names them), or the error.
absl::StatusOr<std::vector<std::string>> Filter(const std::vector<v1::JobInfo>& jobs,
                                                const std::string& state, const std::string& name,
                                                const std::vector<std::string>& labels = {}) {
  absl::StatusOr<JobMatcher> matcher = JobMatcher::Make(state, name, labels, FilterNames::kFlags);
  if (!matcher.ok()) return matcher.status();
  std::vector<std::string> ids;
  for (const v1::JobInfo& j : FilterJobs(jobs, *matcher)) ids.push_back(j.id());
  return ids;
}

// `tandem list --state/--name`: one state, "active", "ended", a name, both; order kept; an
// unknown state is refused naming the accepted ones.
TEST(JobFilterTest, StateAndName) {
  std::vector<v1::JobInfo> jobs;
  auto add = [&](const std::string& id, v1::JobState s, const std::string& name) {
    v1::JobInfo j;
    j.set_id(id);
    j.set_state(s);
    j.mutable_spec()->set_name(name);
    jobs.push_back(j);
  };
  add("job-4", v1::JOB_STATE_RUNNING, "en-es");
  add("job-3", v1::JOB_STATE_FAILED, "en-es");
  add("job-2", v1::JOB_STATE_WAITING_FOR_WORKERS, "de-en");
  add("job-1", v1::JOB_STATE_SUCCEEDED, "");
  EXPECT_THAT(Filter(jobs, "", ""), IsOkAndHolds(ElementsAre("job-4", "job-3", "job-2", "job-1")));
  EXPECT_THAT(Filter(jobs, "running", ""), IsOkAndHolds(ElementsAre("job-4")));
  EXPECT_THAT(Filter(jobs, "waiting_for_workers", ""), IsOkAndHolds(ElementsAre("job-2")));
  EXPECT_THAT(Filter(jobs, "active", ""), IsOkAndHolds(ElementsAre("job-4", "job-2")));
  EXPECT_THAT(Filter(jobs, "ended", ""), IsOkAndHolds(ElementsAre("job-3", "job-1")));
  EXPECT_THAT(Filter(jobs, "", "en-es"), IsOkAndHolds(ElementsAre("job-4", "job-3")));
  EXPECT_THAT(Filter(jobs, "ended", "en-es"), IsOkAndHolds(ElementsAre("job-3")));
  EXPECT_THAT(Filter(jobs, "cancelled", ""), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(Filter({}, "active", "x"), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(Filter(jobs, "Running", ""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--state: 'Running' is not one of active, ended, queued")));
}

TEST(JobFilterTest, LabelsMatchByValueOrPresenceAndAllMustMatch) {
  std::vector<v1::JobInfo> jobs;
  auto add = [&](const std::string& id, std::map<std::string, std::string> labels) {
    v1::JobInfo j;
    j.set_id(id);
    j.set_state(v1::JOB_STATE_RUNNING);
    for (const auto& [k, v] : labels) (*j.mutable_spec()->mutable_labels())[k] = v;
    jobs.push_back(j);
  };
  add("job-3", {{"team", "nlp"}, {"exp", "7"}});
  add("job-2", {{"team", "mt"}});
  add("job-1", {});
  EXPECT_THAT(Filter(jobs, "", "", {"team=nlp"}), IsOkAndHolds(ElementsAre("job-3")));
  EXPECT_THAT(Filter(jobs, "", "", {"team"}), IsOkAndHolds(ElementsAre("job-3", "job-2")));
  EXPECT_THAT(Filter(jobs, "", "", {"team", "exp=7"}), IsOkAndHolds(ElementsAre("job-3")));
  EXPECT_THAT(Filter(jobs, "", "", {"team=mt", "exp=7"}), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(Filter(jobs, "", "", {"team="}), IsOkAndHolds(IsEmpty()))
      << "an empty value is a value";
  EXPECT_THAT(Filter(jobs, "", "", {}), IsOkAndHolds(ElementsAre("job-3", "job-2", "job-1")));
  EXPECT_THAT(Filter(jobs, "ended", "", {"team"}), IsOkAndHolds(IsEmpty()))
      << "every filter must match";
  EXPECT_THAT(Filter(jobs, "", "", {"Team=x"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--label Team=x: labels: 'Team' is not a label name")));
}

// A matcher made once serves any number of jobs, summaries included (it reads only the
// state, the name and the labels).
TEST(JobFilterTest, OneMatcherForManyJobs) {
  ASSERT_OK_AND_ASSIGN(const JobMatcher m, JobMatcher::Make("active", "nightly", {"team=nlp"}));
  v1::JobInfo job;
  job.set_state(v1::JOB_STATE_QUEUED);
  job.mutable_spec()->set_name("nightly");
  (*job.mutable_spec()->mutable_labels())["team"] = "nlp";
  EXPECT_TRUE(m.Matches(job));
  job.set_state(v1::JOB_STATE_CANCELLED);
  EXPECT_FALSE(m.Matches(job));
  job.set_state(v1::JOB_STATE_RUNNING);
  job.mutable_spec()->set_name("nightly-2");
  EXPECT_FALSE(m.Matches(job));
  job.mutable_spec()->set_name("nightly");
  (*job.mutable_spec()->mutable_labels())["team"] = "mt";
  EXPECT_FALSE(m.Matches(job));
}

// Filters from the network are bounded, and errors name the request's fields (or, for
// `tandem list`, its flags).
TEST(JobFilterTest, BoundsAndErrorsNameTheFieldOrTheFlag) {
  EXPECT_THAT(JobMatcher::Make("bogus", "", {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("state: 'bogus' is not one of active, ended, queued, preparing, "
                                 "waiting_for_workers, running, succeeded, failed, cancelled")));
  EXPECT_THAT(
      JobMatcher::Make(std::string(257, 'x'), "", {}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("state: 257 bytes; at most 256")));
  EXPECT_OK(JobMatcher::Make("", std::string(256, 'n'), {}));
  EXPECT_THAT(
      JobMatcher::Make("", std::string(257, 'n'), {}),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name: 257 bytes; at most 256")));
  EXPECT_THAT(JobMatcher::Make("", std::string(257, 'n'), {}, FilterNames::kFlags),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--name: 257 bytes")));
  EXPECT_OK(JobMatcher::Make("", "", std::vector<std::string>(32, "team")));
  EXPECT_THAT(
      JobMatcher::Make("", "", std::vector<std::string>(33, "team")),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("labels: 33 given; at most 32")));
  EXPECT_THAT(
      JobMatcher::Make("", "", std::vector<std::string>(33, "team"), FilterNames::kFlags),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--label: 33 given; at most 32")));
  EXPECT_THAT(JobMatcher::Make("", "", {"=x"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("labels: '=x': '' is not a label name")));
  EXPECT_THAT(JobMatcher::Make("", "", {"team=" + std::string(257, 'v')}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("labels: 'team=vvv")));
}

}  // namespace
}  // namespace tandem
