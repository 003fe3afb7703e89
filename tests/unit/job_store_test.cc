// Real SQLite in a temporary directory.
#include "coordinator/job_store.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

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
  ASSERT_TRUE(store.ok()) << store.status();
  auto a = (*store)->CreateJob(Spec("a"), 1000);
  auto b = (*store)->CreateJob(Spec("b"), 2000);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, "job-000001");
  EXPECT_EQ(*b, "job-000002");
  auto job = (*store)->GetJob(*a);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state(), v1::JOB_STATE_QUEUED);
  EXPECT_EQ(job->spec().name(), "a");
  auto list = (*store)->ListJobs();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id(), *b) << "newest first";
  auto events = (*store)->ListEvents(*a, 0, 0);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].kind(), "submitted");
  EXPECT_EQ((*store)->GetJob("job-999999").status().code(), absl::StatusCode::kNotFound);
}

TEST(JobStoreTest, LegalTransitionAppendsEventsInOrder) {
  testing::TempDir dir;
  auto store = *JobStore::Open(dir.Join("state.db"));
  const std::string id = *store->CreateJob(Spec("a"), 1);
  v1::JobInfo job = *store->GetJob(id);
  job.set_state(v1::JOB_STATE_PREPARING);
  job.set_message("go");
  ASSERT_TRUE(store->UpdateJob(job, {{"note", "first"}}, 5).ok());
  auto events = *store->ListEvents(id, 0, 0);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].kind(), "note");
  EXPECT_EQ(events[2].kind(), "state");
  EXPECT_EQ(events[2].message(), "queued -> preparing: go");
  EXPECT_LT(events[1].seq(), events[2].seq());
  // after_seq pages through the log.
  EXPECT_EQ(store->ListEvents(id, events[1].seq(), 0)->size(), 1u);
  EXPECT_EQ(store->GetJob(id)->updated_unix_ms(), 5);
}

TEST(JobStoreTest, IllegalTransitionChangesNothing) {
  testing::TempDir dir;
  auto store = *JobStore::Open(dir.Join("state.db"));
  const std::string id = *store->CreateJob(Spec("a"), 1);
  v1::JobInfo job = *store->GetJob(id);
  job.set_state(v1::JOB_STATE_SUCCEEDED);
  job.set_message("cheating");
  absl::Status s = store->UpdateJob(job, {{"note", "must not appear"}}, 2);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("queued to succeeded"));
  EXPECT_EQ(store->GetJob(id)->state(), v1::JOB_STATE_QUEUED);
  EXPECT_EQ(store->GetJob(id)->message(), "queued for preparation");
  EXPECT_EQ(store->ListEvents(id, 0, 0)->size(), 1u) << "the rolled-back events are gone";
}

TEST(JobStoreTest, ReopenKeepsEverything) {
  testing::TempDir dir;
  std::string id;
  {
    auto store = *JobStore::Open(dir.Join("state.db"));
    id = *store->CreateJob(Spec("persist"), 1);
    v1::WorkerInfo w;
    w.set_id(*store->NextWorkerId());
    w.set_address("127.0.0.1:1");
    ASSERT_TRUE(store->PutWorker(w).ok());
    ASSERT_TRUE(store->AppendEvent(id, {"custom", "kept"}, 3).ok());
  }
  auto store = *JobStore::Open(dir.Join("state.db"));
  EXPECT_EQ(store->GetJob(id)->spec().name(), "persist");
  EXPECT_EQ(store->ListEvents(id, 0, 0)->size(), 2u);
  ASSERT_EQ(store->ListWorkers()->size(), 1u);
  EXPECT_EQ((*store->ListWorkers())[0].address(), "127.0.0.1:1");
  // Counters continue where they were.
  EXPECT_EQ(*store->NextWorkerId(), "w-000002");
  EXPECT_EQ(*store->CreateJob(Spec("next"), 4), "job-000002");
}

TEST(JobStoreTest, UnwritableLocationIsAClearError) {
  auto store = JobStore::Open("/nonexistent-dir/state.db");
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr("/nonexistent-dir/state.db"));
}

}  // namespace
}  // namespace tandem
