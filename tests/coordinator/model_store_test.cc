// ModelStore: checkpoint rotation, the final model and the files a download sends.
#include "coordinator/model_store.h"

#include "common/files.h"
#include "common/job_spec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"

namespace tandem {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::IsOkAndHolds;
using testing::StatusIs;

class ModelStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    job_.set_id("job-000003");
    job_.set_state(v1::JOB_STATE_RUNNING);
    job_.mutable_spec()->mutable_corpus()->set_train_tsv("/x.tsv");
    job_.mutable_spec()->mutable_training()->set_checkpoints_kept(2);
    job_.mutable_spec()->mutable_training()->set_checkpoint_interval_steps(10);
    job_dir_ = dir_.Join("jobs/job-000003");
    ASSERT_OK(MakeDirs(job_dir_ + "/tokenizer"));
    testing::WriteText(job_dir_ + "/tokenizer/source.model", "src");
    testing::WriteText(job_dir_ + "/tokenizer/target.model", "tgt");
  }

  testing::TempDir dir_;
  ModelStore models_{dir_.path()};
  v1::JobInfo job_;
  std::string job_dir_;
};

TEST_F(ModelStoreTest, KeepsTheNewestCheckpointsAndServesTheNewest) {
  job_.mutable_progress()->set_step(5);
  EXPECT_THAT(models_.ModelFiles(job_),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("job-000003 has no checkpoint yet (running, step 5; the first "
                                 "comes at step 10)")));
  for (uint64_t step : {10, 20, 30}) {
    ASSERT_OK(models_.Store(job_, step, false, "ckpt" + std::to_string(step)));
  }
  EXPECT_THAT(ListFiles(job_dir_ + "/checkpoints", ".ckpt"),
              ElementsAre(job_dir_ + "/checkpoints/step-0000020.ckpt",
                          job_dir_ + "/checkpoints/step-0000030.ckpt"));
  ASSERT_OK_AND_ASSIGN(const std::string artifact, models_.ArtifactFile(job_.id(), "checkpoint"));
  EXPECT_EQ(testing::ReadText(artifact), "ckpt30") << "the artifact a new generation resumes from";

  ASSERT_OK_AND_ASSIGN(const auto files, models_.ModelFiles(job_));
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0].first, "job.json");
  EXPECT_EQ(testing::ReadText(files[0].second), SpecToJson(job_.spec()));
  EXPECT_EQ(files[3],
            std::make_pair(std::string("model.ckpt"), job_dir_ + "/checkpoints/step-0000030.ckpt"));
  EXPECT_EQ(ModelStore::StoredEvent(30, false, 6).message,
            "checkpoint at step 30 stored (6 bytes)");
}

TEST_F(ModelStoreTest, TheFinalModelIsADownloadableDirectory) {
  ASSERT_OK(models_.Store(job_, 40, true, "final"));
  for (const char* f : {"job.json", "source.model", "target.model", "model.ckpt"}) {
    EXPECT_TRUE(PathExists(job_dir_ + "/model/" + f)) << f;
  }
  EXPECT_EQ(testing::ReadText(job_dir_ + "/model/source.model"), "src");
  job_.mutable_progress()->set_model_ready(true);
  ASSERT_OK_AND_ASSIGN(const auto files, models_.ModelFiles(job_));
  EXPECT_EQ(files[3].second, job_dir_ + "/model/model.ckpt");
  const EventDraft e = ModelStore::StoredEvent(40, true, 5);
  EXPECT_EQ(e.kind, "model_stored");
  EXPECT_EQ(e.message, "final model stored (step 40, 5 bytes)");
}

TEST_F(ModelStoreTest, ArtifactNamesCannotLeaveTheJobDirectory) {
  EXPECT_THAT(models_.ArtifactFile(job_.id(), "../../state.db"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(models_.ArtifactFile(job_.id(), "source.model"),
              IsOkAndHolds(HasSubstr("job-000003/")));
}

}  // namespace
}  // namespace tandem
