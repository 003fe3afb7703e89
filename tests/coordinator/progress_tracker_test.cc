// ProgressTracker without the Coordinator: real SQLite for persistence, explicit times.
#include "coordinator/progress_tracker.h"

#include <memory>

#include "common/files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::IsEmpty;

class ProgressTrackerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, JobStore::Open(dir_.Join("state.db")));
    tracker_ = std::make_unique<ProgressTracker>(store_.get(), dir_.path());
    v1::JobSpec spec;
    spec.mutable_corpus()->set_train_tsv("/x.tsv");
    ASSERT_OK_AND_ASSIGN(const std::string id, store_->CreateJob(spec, 0));
    ASSERT_OK_AND_ASSIGN(job_, store_->GetJob(id));
  }

  v1::ProgressReport Report(const std::string& worker, uint32_t rank, uint64_t step,
                            float compute_ms, uint64_t checksum = 7) {
    v1::ProgressReport r;
    r.set_worker_id(worker);
    r.set_job_id(job_.id());
    r.set_rank(rank);
    r.set_step(step);
    r.set_loss(4.5f);
    r.set_tokens_per_second(1000);
    r.set_compute_ms(compute_ms);
    r.set_comm_wait_ms(200 - compute_ms);
    r.set_param_checksum(checksum);
    return r;
  }

  testing::TempDir dir_;
  std::unique_ptr<JobStore> store_;
  std::unique_ptr<ProgressTracker> tracker_;
  v1::JobInfo job_;
};

TEST_F(ProgressTrackerTest, MergesRanksIntoTotalsAndTheStraggler) {
  v1::JobProgress& p = tracker_->For(job_);
  tracker_->Record(Report("w1", 0, 1, 100), p, 5000);
  tracker_->Record(Report("w2", 1, 1, 150), p, 5000);
  EXPECT_EQ(p.started_unix_ms(), 5000);
  EXPECT_FLOAT_EQ(p.tokens_per_second(), 2000);
  EXPECT_FLOAT_EQ(p.straggler_ms(), 50);
  EXPECT_EQ(p.straggler_worker(), "w2");
  EXPECT_FLOAT_EQ(p.worker_wait_ms().at("w1"), 100);
  EXPECT_EQ(p.step(), 1u) << "from rank 0";
  // Averaged step times: one short step moves w2 from 150 to 0.8 * 150 + 0.2 * 50.
  tracker_->Record(Report("w2", 1, 2, 50), p, 5100);
  EXPECT_FLOAT_EQ(p.worker_compute_ms().at("w2"), 130);
  EXPECT_FLOAT_EQ(p.straggler_ms(), 30);
  EXPECT_EQ(p.step(), 1u) << "rank 1 does not move the job's step";

  // The tracked progress is what readers see; a new generation drops w2's figures.
  v1::JobInfo job = job_;
  tracker_->MergeInto(job);
  EXPECT_FLOAT_EQ(job.progress().tokens_per_second(), 2000);
  job.add_assignments()->set_worker_id("w1");
  tracker_->KeepMembers(job);
  EXPECT_EQ(job.progress().worker_compute_ms().count("w2"), 0u);
  EXPECT_FLOAT_EQ(job.progress().tokens_per_second(), 1000);
  EXPECT_FLOAT_EQ(job.progress().straggler_ms(), 0);
  EXPECT_EQ(job.progress().straggler_worker(), "");
  EXPECT_EQ(tracker_->For(job_).worker_step().count("w2"), 0u);
}

TEST_F(ProgressTrackerTest, DivergingReplicasAreAnEvent) {
  v1::JobProgress& p = tracker_->For(job_);
  EXPECT_THAT(tracker_->Record(Report("w1", 0, 3, 100, 7), p, 0).events, IsEmpty());
  const ProgressTracker::Update u = tracker_->Record(Report("w2", 1, 3, 100, 8), p, 0);
  ASSERT_EQ(u.events.size(), 1u);
  EXPECT_EQ(u.events[0].kind, "divergence");
  EXPECT_EQ(u.events[0].message, "step 3: parameter checksums of w1 and w2 differ");
  EXPECT_THAT(tracker_->Record(Report("w2", 1, 4, 100, 8), p, 0).events, IsEmpty())
      << "different steps are not compared";
}

TEST_F(ProgressTrackerTest, PersistsOnceASecondAndAtValidations) {
  v1::JobProgress& p = tracker_->For(job_);
  const int64_t t = 1'000'000;
  EXPECT_TRUE(tracker_->Record(Report("w1", 0, 1, 100), p, t).persist) << "never written yet";
  *job_.mutable_progress() = p;
  ASSERT_OK(tracker_->Persist(job_, {}, t));
  EXPECT_FALSE(tracker_->Record(Report("w1", 0, 2, 100), p, t + 500).persist);
  EXPECT_FALSE(tracker_->Record(Report("w2", 1, 2, 100), p, t + 600).persist);
  EXPECT_EQ(tracker_->Pending(job_.id()).size(), 1u) << "curve points come from rank 0 only";

  v1::ProgressReport validation = Report("w1", 0, 3, 100);
  validation.set_has_validation(true);
  validation.set_valid_loss(1.5f);
  validation.set_valid_bleu(12.345f);
  const ProgressTracker::Update u = tracker_->Record(validation, p, t + 700);
  EXPECT_TRUE(u.persist);
  ASSERT_EQ(u.events.size(), 1u);
  EXPECT_EQ(u.events[0].message, "step 3: validation loss 1.500, BLEU 12.35");
  EXPECT_FLOAT_EQ(p.best_valid_bleu(), 12.345f);
  EXPECT_EQ(p.valid_step(), 3u);
  EXPECT_TRUE(tracker_->Record(Report("w1", 0, 4, 100), p, t + 1000).persist);

  // Persist writes the job, its events and the pending points (to SQLite and TensorBoard).
  *job_.mutable_progress() = p;
  ASSERT_OK(tracker_->Persist(job_, u.events, t + 1000));
  EXPECT_THAT(tracker_->Pending(job_.id()), IsEmpty());
  ASSERT_OK_AND_ASSIGN(const auto points, store_->ListMetrics(job_.id()));
  ASSERT_EQ(points.size(), 4u);
  EXPECT_TRUE(points[2].has_validation());
  ASSERT_OK_AND_ASSIGN(const v1::JobInfo stored, store_->GetJob(job_.id()));
  EXPECT_EQ(stored.progress().step(), 4u);
  EXPECT_EQ(ListFiles(dir_.path() + "/jobs/" + job_.id() + "/tensorboard", ".tandem").size(), 1u);
  ASSERT_OK_AND_ASSIGN(const auto events, store_->ListEvents(job_.id(), 0, 0));
  EXPECT_EQ(events.back().kind(), "validation");
}

}  // namespace
}  // namespace tandem
