// Real SQLite in a temporary directory.
#include "coordinator/job_store.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::tandem::testing::IsOkAndHolds;
using ::tandem::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::JobSpec Spec(const std::string& name) {
  v1::JobSpec s;
  s.set_name(name);
  s.mutable_corpus()->set_train_tsv("/x.tsv");
  return s;
}

TEST(JobStoreTest, CreateGetListAndEvents) {
  testing::TempDir dir;
  auto store = JobStore::Open(dir.Join("state.db"));
  ASSERT_OK(store);
  auto a = (*store)->CreateJob(Spec("a"), 1000);
  auto b = (*store)->CreateJob(Spec("b"), 2000);
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(*a, "job-000001");
  EXPECT_EQ(*b, "job-000002");
  auto job = (*store)->GetJob(*a);
  ASSERT_OK(job);
  EXPECT_EQ(job->state(), v1::JOB_STATE_QUEUED);
  EXPECT_EQ(job->spec().name(), "a");
  auto list = (*store)->ListJobs();
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id(), *b) << "newest first";
  auto events = (*store)->ListEvents(*a, 0, 0);
  ASSERT_OK(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].kind(), "submitted");
  EXPECT_THAT((*store)->GetJob("job-999999"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no job 'job-999999'")));
}

TEST(JobStoreTest, LegalTransitionAppendsEventsInOrder) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, JobStore::Open(dir.Join("state.db")));
  ASSERT_OK_AND_ASSIGN(const std::string id, store->CreateJob(Spec("a"), 1));
  ASSERT_OK_AND_ASSIGN(v1::JobInfo job, store->GetJob(id));
  job.set_state(v1::JOB_STATE_PREPARING);
  job.set_message("go");
  ASSERT_OK(store->UpdateJob(job, {{"note", "first"}}, 5));
  ASSERT_OK_AND_ASSIGN(auto events, store->ListEvents(id, 0, 0));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].kind(), "note");
  EXPECT_EQ(events[2].kind(), "state");
  EXPECT_EQ(events[2].message(), "queued -> preparing: go");
  EXPECT_LT(events[1].seq(), events[2].seq());
  // after_seq pages through the log.
  EXPECT_EQ(store->ListEvents(id, events[1].seq(), 0)->size(), 1u);
  EXPECT_EQ(store->GetJob(id)->updated_unix_ms(), 5);
}

TEST(JobStoreTest, EventsFilterByKindAndTheNewestComeInOrder) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, JobStore::Open(dir.Join("state.db")));
  ASSERT_OK_AND_ASSIGN(const std::string a, store->CreateJob(Spec("a"), 1));
  ASSERT_OK_AND_ASSIGN(const std::string b, store->CreateJob(Spec("b"), 1));
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(store->AppendEvent(a, {"epoch_end", absl::StrCat("a", i)}, 10 + i));
    ASSERT_OK(store->AppendEvent(a, {"note", absl::StrCat("n", i)}, 10 + i));
    ASSERT_OK(store->AppendEvent(b, {"epoch_end", absl::StrCat("b", i)}, 10 + i));
  }
  auto messages = [](const std::vector<v1::JobEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.message());
    return out;
  };
  using Filter = EventFilter;
  EXPECT_THAT(messages(*store->ListEvents(a, 0, 0, "", Filter{"epoch_end"})),
              ElementsAre("a0", "a1", "a2", "a3", "a4"));
  EXPECT_THAT(messages(*store->ListEvents(a, 0, 2, "", Filter{"epoch_end"})),
              ElementsAre("a0", "a1"));
  // The newest, still oldest first; with a kind and without.
  EXPECT_THAT(messages(*store->ListEvents(a, 0, 2, "", Filter{"epoch_end", true})),
              ElementsAre("a3", "a4"));
  EXPECT_THAT(messages(*store->ListEvents(a, 0, 1, "", Filter{"", true})), ElementsAre("n4"));
  EXPECT_THAT(messages(*store->ListEvents(a, 0, 1, "", Filter{"epoch_end", true})),
              ElementsAre("a4"));
  // Every job's events, by kind; and a user's (jobs of no owner are everyone's).
  EXPECT_EQ(store->ListEvents("", 0, 0, "", Filter{"epoch_end"})->size(), 10u);
  EXPECT_THAT(messages(*store->ListEvents("", 0, 1, "carol", Filter{"epoch_end", true})),
              ElementsAre("b4"));
  // after_seq still bounds from below; a kind nobody wrote matches nothing.
  const int64_t third = store->ListEvents(a, 0, 0, "", Filter{"epoch_end"})->at(2).seq();
  EXPECT_THAT(messages(*store->ListEvents(a, third, 0, "", Filter{"epoch_end"})),
              ElementsAre("a3", "a4"));
  EXPECT_TRUE(store->ListEvents(a, 0, 0, "", Filter{"no_such_kind", true})->empty());
  EXPECT_TRUE(store->ListEvents("job-999", 0, 0, "", Filter{"", true})->empty());
}

TEST(JobStoreTest, JobsAndEventsAreBounded) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, JobStore::Open(dir.Join("state.db"), {/*max_jobs=*/2,
                                                                       /*max_events_per_job=*/3}));
  ASSERT_OK_AND_ASSIGN(const std::string a, store->CreateJob(Spec("a"), 1));
  ASSERT_OK_AND_ASSIGN(const std::string b, store->CreateJob(Spec("b"), 2));
  EXPECT_THAT(store->CreateJob(Spec("c"), 3),
              StatusIs(absl::StatusCode::kResourceExhausted, HasSubstr("--max_jobs")));
  EXPECT_EQ(store->ListJobs()->size(), 2u);
  // The newest 3 events of a job are kept; another job's are untouched.
  ASSERT_OK_AND_ASSIGN(v1::JobInfo job, store->GetJob(a));
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(store->UpdateJob(job, {{"note", "n" + std::to_string(i)}}, 10 + i));
  }
  ASSERT_OK_AND_ASSIGN(auto events, store->ListEvents(a, 0, 0));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].message(), "n2");
  EXPECT_EQ(events[2].message(), "n4");
  EXPECT_EQ(store->ListEvents(b, 0, 0)->size(), 1u);
}

TEST(JobStoreTest, IllegalTransitionChangesNothing) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, JobStore::Open(dir.Join("state.db")));
  ASSERT_OK_AND_ASSIGN(const std::string id, store->CreateJob(Spec("a"), 1));
  ASSERT_OK_AND_ASSIGN(v1::JobInfo job, store->GetJob(id));
  job.set_state(v1::JOB_STATE_SUCCEEDED);
  job.set_message("cheating");
  EXPECT_THAT(store->UpdateJob(job, {{"note", "must not appear"}}, 2),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("queued to succeeded")));
  EXPECT_EQ(store->GetJob(id)->state(), v1::JOB_STATE_QUEUED);
  EXPECT_EQ(store->GetJob(id)->message(), "queued for preparation");
  EXPECT_EQ(store->ListEvents(id, 0, 0)->size(), 1u) << "the rolled-back events are gone";
}

TEST(JobStoreTest, ReopenKeepsEverything) {
  testing::TempDir dir;
  std::string id;
  {
    ASSERT_OK_AND_ASSIGN(auto store, JobStore::Open(dir.Join("state.db")));
    ASSERT_OK_AND_ASSIGN(id, store->CreateJob(Spec("persist"), 1));
    ASSERT_OK_AND_ASSIGN(const std::string worker_id, store->NextWorkerId());
    v1::WorkerInfo w;
    w.set_id(worker_id);
    w.set_address("127.0.0.1:1");
    ASSERT_OK(store->PutWorker(w));
    ASSERT_OK(store->AppendEvent(id, {"custom", "kept"}, 3));
  }
  ASSERT_OK_AND_ASSIGN(auto store, JobStore::Open(dir.Join("state.db")));
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo job, store->GetJob(id));
  EXPECT_EQ(job.spec().name(), "persist");
  EXPECT_EQ(store->ListEvents(id, 0, 0)->size(), 2u);
  ASSERT_EQ(store->ListWorkers()->size(), 1u);
  EXPECT_EQ((*store->ListWorkers())[0].address(), "127.0.0.1:1");
  // Counters continue where they were.
  EXPECT_THAT(store->NextWorkerId(), IsOkAndHolds("w-000002"));
  EXPECT_THAT(store->CreateJob(Spec("next"), 4), IsOkAndHolds("job-000002"));
}

TEST(JobStoreTest, UnwritableLocationIsAClearError) {
  EXPECT_THAT(JobStore::Open("/nonexistent-dir/state.db"),
              StatusIs(absl::StatusCode::kInternal,
                       HasSubstr("cannot open state database /nonexistent-dir/state.db")));
}

// Counters: submissions, each terminal outcome once per job, each new generation; an update
// that changes neither state nor generation, or an illegal one, counts nothing.
TEST(JobStoreTest, CountsSubmissionsOutcomesAndGenerations) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, JobStore::Open(dir.Join("state.db")));
  ASSERT_OK_AND_ASSIGN(const std::string a, store->CreateJob(Spec("a"), 1));
  ASSERT_OK_AND_ASSIGN(const std::string b, store->CreateJob(Spec("b"), 1));
  EXPECT_EQ(store->Counters().submitted, 2u);
  ASSERT_OK_AND_ASSIGN(v1::JobInfo job, store->GetJob(a));
  for (v1::JobState s : {v1::JOB_STATE_PREPARING, v1::JOB_STATE_WAITING_FOR_WORKERS,
                         v1::JOB_STATE_RUNNING}) {
    job.set_state(s);
    ASSERT_OK(store->UpdateJob(job, {}, 2));
  }
  job.set_generation(1);
  ASSERT_OK(store->UpdateJob(job, {}, 3));
  ASSERT_OK(store->UpdateJob(job, {}, 3));  // unchanged: not counted again
  job.set_generation(2);
  ASSERT_OK(store->UpdateJob(job, {}, 4));
  job.set_state(v1::JOB_STATE_FAILED);
  ASSERT_OK(store->UpdateJob(job, {}, 5));
  job.set_state(v1::JOB_STATE_SUCCEEDED);
  EXPECT_FALSE(store->UpdateJob(job, {}, 6).ok()) << "failed -> succeeded is illegal";
  ASSERT_OK_AND_ASSIGN(v1::JobInfo other, store->GetJob(b));
  other.set_state(v1::JOB_STATE_CANCELLED);
  ASSERT_OK(store->UpdateJob(other, {}, 7));
  const JobCounters c = store->Counters();
  EXPECT_EQ(c.generations, 2u);
  EXPECT_EQ(c.failed, 1u);
  EXPECT_EQ(c.succeeded, 0u);
  EXPECT_EQ(c.cancelled, 1u);
}

// Jobs are read from memory: a committed write is what every later read sees, a job already
// handed out stays as it was, and an unknown id is not there.
TEST(JobStoreTest, ReadsSeeEachCommittedWrite) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, JobStore::Open(dir.Join("state.db")));
  ASSERT_OK_AND_ASSIGN(const std::string id, store->CreateJob(Spec("a"), 1));
  std::shared_ptr<const v1::JobInfo> before = store->FindJob(id);
  ASSERT_NE(before, nullptr);
  ASSERT_OK_AND_ASSIGN(v1::JobInfo job, store->GetJob(id));
  job.set_state(v1::JOB_STATE_PREPARING);
  job.set_message("go");
  ASSERT_OK(store->UpdateJob(job, {}, 5));
  EXPECT_EQ(before->state(), v1::JOB_STATE_QUEUED) << "a job handed out is immutable";
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo read, store->GetJob(id));
  EXPECT_EQ(read.state(), v1::JOB_STATE_PREPARING);
  EXPECT_EQ(read.message(), "go");
  EXPECT_EQ(read.updated_unix_ms(), 5);
  EXPECT_EQ(store->FindJob(id)->message(), "go");
  EXPECT_EQ((*store->ListJobs())[0].message(), "go");
  EXPECT_EQ(store->ListActiveJobs()[0].message(), "go");
  EXPECT_EQ(store->FindJob("job-999999"), nullptr);
  v1::JobInfo unknown = job;
  unknown.set_id("job-999999");
  EXPECT_THAT(store->UpdateJob(unknown, {}, 6), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(store->ListJobs()->size(), 1u);
}

TEST(JobStoreTest, ActiveJobsLeaveOutEndedOnesNewestFirst) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, JobStore::Open(dir.Join("state.db")));
  ASSERT_OK_AND_ASSIGN(const std::string a, store->CreateJob(Spec("a"), 1));
  ASSERT_OK_AND_ASSIGN(const std::string b, store->CreateJob(Spec("b"), 2));
  ASSERT_OK_AND_ASSIGN(const std::string c, store->CreateJob(Spec("c"), 3));
  ASSERT_OK_AND_ASSIGN(const std::string d, store->CreateJob(Spec("d"), 3));  // same time
  ASSERT_OK_AND_ASSIGN(v1::JobInfo job, store->GetJob(b));
  job.set_state(v1::JOB_STATE_CANCELLED);
  ASSERT_OK(store->UpdateJob(job, {}, 4));
  auto ids = [](const std::vector<v1::JobInfo>& jobs) {
    std::vector<std::string> out;
    for (const auto& j : jobs) out.push_back(j.id());
    return out;
  };
  EXPECT_THAT(ids(store->ListActiveJobs()), ::testing::ElementsAre(d, c, a));
  EXPECT_THAT(ids(*store->ListJobs()), ::testing::ElementsAre(d, c, b, a));
}

// A reopened store (a restarted coordinator) reads back every job as last written, and the
// job limit counts them.
TEST(JobStoreTest, ReopenReloadsJobsAsLastWritten) {
  testing::TempDir dir;
  std::string a, b;
  v1::JobInfo written;
  {
    ASSERT_OK_AND_ASSIGN(auto store, JobStore::Open(dir.Join("state.db")));
    ASSERT_OK_AND_ASSIGN(a, store->CreateJob(Spec("a"), 1));
    ASSERT_OK_AND_ASSIGN(b, store->CreateJob(Spec("b"), 2));
    ASSERT_OK_AND_ASSIGN(v1::JobInfo job, store->GetJob(a));
    job.set_state(v1::JOB_STATE_PREPARING);
    job.set_message("preparing");
    ASSERT_OK(store->UpdateJob(job, {}, 7));
    ASSERT_OK_AND_ASSIGN(job, store->GetJob(b));
    job.set_state(v1::JOB_STATE_CANCELLED);
    ASSERT_OK(store->UpdateJob(job, {}, 8));
    ASSERT_OK_AND_ASSIGN(written, store->GetJob(a));
  }
  ASSERT_OK_AND_ASSIGN(auto store, JobStore::Open(dir.Join("state.db"), {/*max_jobs=*/2}));
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo read, store->GetJob(a));
  EXPECT_EQ(read.DebugString(), written.DebugString());
  EXPECT_EQ(store->GetJob(b)->state(), v1::JOB_STATE_CANCELLED);
  ASSERT_EQ(store->ListActiveJobs().size(), 1u);
  EXPECT_EQ(store->ListActiveJobs()[0].id(), a);
  EXPECT_EQ(store->ListJobs()->size(), 2u);
  EXPECT_THAT(store->CreateJob(Spec("c"), 9), StatusIs(absl::StatusCode::kResourceExhausted));
}

}  // namespace
}  // namespace tandem
