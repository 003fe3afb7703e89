// A job's lifecycle through the Coordinator facade (real SQLite, real preparation, a fake
// clock): deleting and retention, idempotent named submits, the time budget's deadline, and
// the workers' log lines.
#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "coordinator/coordinator.h"
#include "coordinator/job_paths.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/coordinator/coordinator_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::StatusIs;
using LifecycleTest = testing::CoordinatorFixture;

v1::LogLine Line(const std::string& job_id, const std::string& text) {
  v1::LogLine l;
  l.set_unix_ms(5);
  l.set_job_id(job_id);
  l.set_rank(9);             // a claim the coordinator ignores
  l.set_worker_id("w-evil");  // likewise
  l.set_text(text);
  return l;
}

std::vector<std::string> Texts(const absl::StatusOr<LogStore::Page>& page) {
  std::vector<std::string> out;
  if (page.ok()) {
    for (const auto& l : page->lines) out.push_back(l.text());
  }
  return out;
}

TEST_F(LifecycleTest, DeleteRemovesAnEndedJobWithItsFilesAndRefusesOneInProgress) {
  JoinWorker("127.0.0.1:1001");
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(Spec(1)));
  ASSERT_OK_AND_ASSIGN(const std::string other, coordinator_->SubmitJob(Spec(5)));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
  const std::string dir = JobDir(dir_.Join("coord"), id);
  ASSERT_TRUE(PathExists(dir + "/tokenizer/source.model"));
  EXPECT_THAT(coordinator_->DeleteJob(id),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("only an ended job can be deleted (cancel it first: tandem "
                                 "cancel " + id + ")")));
  EXPECT_OK(coordinator_->GetJob(id));
  ASSERT_OK(coordinator_->CancelJob(id));
  ASSERT_OK_AND_ASSIGN(const uint64_t freed, coordinator_->DeleteJob(id));
  EXPECT_GT(freed, 1000u);
  EXPECT_FALSE(PathExists(dir));
  EXPECT_THAT(coordinator_->GetJob(id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(coordinator_->ListEvents(id, 0, 0), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(coordinator_->DeleteJob(id), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(coordinator_->DeleteJob("../coord"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(coordinator_->Counters().deleted, 1u);
  // The other job is untouched.
  EXPECT_OK(coordinator_->GetJob(other));
  EXPECT_EQ(coordinator_->ListJobs()->jobs_size(), 1);
}

TEST_F(LifecycleTest, RetentionDeletesOnlyJobsEndedLongerAgo) {
  Open([](CoordinatorOptions& o) { o.job_retention = std::chrono::hours(1); });
  ASSERT_OK_AND_ASSIGN(const std::string old_job, coordinator_->SubmitJob(Spec(1)));
  ASSERT_OK_AND_ASSIGN(const std::string recent, coordinator_->SubmitJob(Spec(1)));
  ASSERT_OK_AND_ASSIGN(const std::string active, coordinator_->SubmitJob(Spec(1)));
  ASSERT_OK(coordinator_->CancelJob(old_job));
  now_ += 3'000'000;  // 50 minutes
  ASSERT_OK(coordinator_->CancelJob(recent));
  EXPECT_EQ(coordinator_->DeleteExpiredJobs(), 0);
  now_ += 700'000;  // old_job ended 61 minutes ago, recent 11
  EXPECT_EQ(coordinator_->DeleteExpiredJobs(), 1);
  EXPECT_THAT(coordinator_->GetJob(old_job), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_OK(coordinator_->GetJob(recent));
  now_ += 100 * 3'600'000LL;
  EXPECT_EQ(coordinator_->DeleteExpiredJobs(), 1);
  EXPECT_OK(coordinator_->GetJob(active)) << "a job not ended is never deleted";
}

TEST_F(LifecycleTest, ADirectoryNoJobNamesIsRemovedAtStart) {
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(Spec(1)));
  JoinWorker("127.0.0.1:1001");
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
  const std::string orphan = JobDir(dir_.Join("coord"), "job-999999");
  ASSERT_OK(MakeDirs(orphan + "/shards"));
  testing::WriteText(orphan + "/shards/0", "left by a deletion cut short");
  Open();
  EXPECT_FALSE(PathExists(orphan));
  EXPECT_TRUE(PathExists(JobDir(dir_.Join("coord"), id) + "/tokenizer/source.model"));
}

TEST_F(LifecycleTest, ANamedJobIsSubmittedOnce) {
  v1::JobSpec spec = Spec(1);
  spec.set_name("nightly");
  bool existing = true;
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(spec, &existing));
  EXPECT_FALSE(existing);
  ASSERT_OK_AND_ASSIGN(const std::string again, coordinator_->SubmitJob(spec, &existing));
  EXPECT_EQ(again, id);
  EXPECT_TRUE(existing);
  EXPECT_EQ(coordinator_->ListJobs()->jobs_size(), 1);
  v1::JobSpec changed = spec;
  changed.mutable_training()->set_learning_rate(0.01f);
  EXPECT_THAT(coordinator_->SubmitJob(changed),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       HasSubstr("name: 'nightly' is taken by job " + id +
                                 " (queued) with another spec; choose another name, or delete "
                                 "that job first (tandem delete " + id + ")")));
  // Unnamed jobs are never merged.
  ASSERT_OK_AND_ASSIGN(const std::string a, coordinator_->SubmitJob(Spec(1)));
  ASSERT_OK_AND_ASSIGN(const std::string b, coordinator_->SubmitJob(Spec(1)));
  EXPECT_NE(a, b);
  // The name is remembered across a restart, and free again once the job is deleted.
  Open();
  EXPECT_THAT(coordinator_->SubmitJob(spec, &existing), testing::IsOkAndHolds(id));
  EXPECT_TRUE(existing);
  ASSERT_OK(coordinator_->CancelJob(id));
  ASSERT_OK(coordinator_->DeleteJob(id));
  ASSERT_OK_AND_ASSIGN(const std::string fresh, coordinator_->SubmitJob(spec, &existing));
  EXPECT_NE(fresh, id);
  EXPECT_FALSE(existing);
}

TEST_F(LifecycleTest, NamedSubmitsAtOnceAllGetTheOneJob) {
  // Each submit reads the corpus between its name lookup and its create, so started together
  // they find the name free: every one but the first to store must still get that job, not
  // AlreadyExists. Several rounds, each under a new name, so that at least one overlaps even
  // on a loaded machine (before the fix every round with an overlap failed).
  constexpr int kRounds = 4;
  constexpr int kSubmits = 6;
  for (int round = 0; round < kRounds; ++round) {
    v1::JobSpec spec = Spec(1);
    spec.set_name(absl::StrCat("at-once-", round));
    std::vector<absl::StatusOr<std::string>> ids(kSubmits, absl::UnknownError("not run"));
    std::vector<char> existing(kSubmits, 1);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kSubmits; ++i) {
      threads.emplace_back([&, i] {
        ++ready;
        while (ready.load() < kSubmits) std::this_thread::yield();
        bool e = true;
        ids[i] = coordinator_->SubmitJob(spec, &e);
        existing[i] = e;
      });
    }
    for (std::thread& t : threads) t.join();
    int created = 0;
    for (int i = 0; i < kSubmits; ++i) {
      ASSERT_OK(ids[i].status()) << "round " << round << ", submit " << i;
      EXPECT_EQ(*ids[i], *ids[0]);
      created += existing[i] ? 0 : 1;
    }
    EXPECT_EQ(created, 1) << "round " << round;
    // Afterwards another spec under the name is still refused.
    v1::JobSpec changed = spec;
    changed.mutable_training()->set_learning_rate(0.01f);
    EXPECT_THAT(coordinator_->SubmitJob(changed),
                StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("with another spec")));
  }
  EXPECT_EQ(coordinator_->ListJobs()->jobs_size(), kRounds);
}

TEST_F(LifecycleTest, TheTimeBudgetStartsWithTheFirstGenerationAndEndsTheJobAsSucceeded) {
  const std::string w = JoinWorker("127.0.0.1:1001");
  v1::JobSpec spec = Spec(1);
  spec.mutable_training()->set_max_duration("90s");
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(spec));
  EXPECT_EQ(coordinator_->GetJob(id)->deadline_unix_ms(), 0);
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
  const int64_t deadline = coordinator_->GetJob(id)->deadline_unix_ms();
  EXPECT_EQ(deadline, now_.load() + 90'000);
  ASSERT_OK_AND_ASSIGN(const v1::HeartbeatResponse beat, coordinator_->Heartbeat(w));
  EXPECT_EQ(beat.assignment().deadline_unix_ms(), deadline);
  // Rank 0 ends at the budget: the job succeeds and says why.
  v1::ProgressReport r;
  r.set_worker_id(w);
  r.set_job_id(id);
  r.set_generation(1);
  r.set_step(1);
  ASSERT_OK(coordinator_->ReportProgress(r));
  ASSERT_OK(coordinator_->StoreCheckpoint(w, id, 1, 1, /*final=*/true, "model bytes"));
  r.set_finished(true);
  r.set_time_up(true);
  ASSERT_OK(coordinator_->ReportProgress(r));
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo job, coordinator_->GetJob(id));
  EXPECT_EQ(job.state(), v1::JOB_STATE_SUCCEEDED);
  EXPECT_THAT(job.message(), HasSubstr("training.max_duration 90s reached: trained 1 steps"));
}

TEST_F(LifecycleTest, LogLinesAreKeptForTheWorkersJobUnderItsRecordedRank) {
  const std::string w = JoinWorker("127.0.0.1:1001");
  const std::string outsider = JoinWorker("127.0.0.1:1002");
  v1::JobSpec spec = Spec(1);
  ASSERT_OK_AND_ASSIGN(const std::string id, coordinator_->SubmitJob(spec));
  ASSERT_TRUE(TickUntil(id, v1::JOB_STATE_RUNNING));
  const std::string member = coordinator_->GetJob(id)->assignments(0).worker_id();
  const std::string idle = member == w ? outsider : w;
  EXPECT_THAT(coordinator_->GetLogs(id, std::nullopt, 0), testing::IsOkAndHolds(
                  ::testing::Field(&LogStore::Page::lines, IsEmpty())));
  ASSERT_OK(coordinator_->Heartbeat(member, {Line(id, "step 1"), Line("job-other", "elsewhere"),
                                             Line(id, "two\nlines\tand a tab")}));
  ASSERT_OK(coordinator_->Heartbeat(idle, {Line(id, "not a member")}));
  ASSERT_OK_AND_ASSIGN(LogStore::Page page, coordinator_->GetLogs(id, std::nullopt, 0));
  ASSERT_EQ(page.lines.size(), 2u);
  EXPECT_EQ(page.lines[0].text(), "step 1");
  EXPECT_EQ(page.lines[1].text(), "two lines and a tab");
  EXPECT_EQ(page.lines[0].rank(), 0u);
  EXPECT_EQ(page.lines[0].worker_id(), member);
  EXPECT_EQ(page.lines[0].unix_ms(), 5);
  EXPECT_FALSE(page.more);
  // Continuing from next_offset returns only newer lines; the job's end does not cut off the
  // member's last lines (they come with its next heartbeat).
  ASSERT_OK(coordinator_->CancelJob(id));
  ASSERT_OK(coordinator_->Heartbeat(member, {Line(id, "last words")}));
  EXPECT_THAT(Texts(coordinator_->GetLogs(id, std::nullopt, page.next_offset)),
              ElementsAre("last words"));
  EXPECT_THAT(Texts(coordinator_->GetLogs(id, 1u, 0)), IsEmpty()) << "no rank 1 in this job";
  EXPECT_THAT(Texts(coordinator_->GetLogs(id, 0u, 0)),
              ElementsAre("step 1", "two lines and a tab", "last words"));
  // Bounded: more lines than a heartbeat may carry are refused, as are unknown jobs.
  EXPECT_THAT(coordinator_->Heartbeat(member, std::vector<v1::LogLine>(257, Line(id, "x"))),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("257 log lines")));
  EXPECT_THAT(coordinator_->GetLogs("job-404404", std::nullopt, 0),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(coordinator_->GetLogs("../x", std::nullopt, 0),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace tandem
