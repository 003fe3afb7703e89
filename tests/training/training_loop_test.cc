// The training loop's cadences and endings with a tiny real trainer (real SentencePiece, a
// real model, no sockets): validation, checkpoints and their rotation, the observer's stop,
// cancellation, early stopping, and errors from the observer.
#include "training/training_loop.h"

#include <atomic>
#include <string>
#include <vector>

#include "common/checkpoint_files.h"
#include "common/files.h"
#include "common/job_spec.h"
#include "data/preparer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_util.h"
#include "tests/testing/toy_job.h"
#include "training/trainer.h"

namespace tandem {
namespace {

using ::tandem::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Records what the loop hands over; stops or fails at chosen steps.
class RecordingObserver : public TrainingObserver {
 public:
  absl::Status OnCheckpoint(const std::string& path, int64_t step, bool final) override {
    EXPECT_TRUE(PathExists(path)) << path;
    EXPECT_EQ(ParseCheckpointFileName(path.substr(path.rfind('/') + 1)), step);
    checkpoints.push_back(step);
    if (final) finals.push_back(step);
    if (step == fail_checkpoint_at) return absl::UnavailableError("upload refused");
    return absl::OkStatus();
  }
  absl::StatusOr<bool> AfterStep(const StepReport& r) override {
    steps.push_back(r.stats.step);
    if (r.validation.has_value()) validations.push_back(r.stats.step);
    if (r.last) lasts.push_back(r.stats.step);
    if (r.early_stop) early_stops.push_back(r.stats.step);
    if (r.stats.epoch_account.has_value()) accounts.push_back(*r.stats.epoch_account);
    learning_rates.push_back(r.stats.learning_rate);
    planned.push_back(r.planned_steps);
    EXPECT_GT(r.tokens_per_second, 0);
    // A checkpoint of this step, if any, was handed over before this call.
    if (!checkpoints.empty() && checkpoints.back() == r.stats.step) ++checkpoint_before_step;
    if (r.stats.step == stop_at) return true;
    return false;
  }

  int64_t stop_at = -1;
  int64_t fail_checkpoint_at = -1;
  std::vector<int64_t> steps, validations, lasts, early_stops, checkpoints, finals, planned;
  std::vector<double> learning_rates;
  std::vector<EpochAccount> accounts;
  int checkpoint_before_step = 0;
};

class TrainingLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_ = testing::ToyJobSpec(dir_, 300, 7, /*dim=*/8);
    spec_.mutable_training()->set_batch_tokens(200);
    spec_.mutable_training()->set_max_steps(7);
    spec_.mutable_training()->set_validation_interval_steps(3);
    spec_.mutable_training()->set_checkpoint_interval_steps(2);
    spec_.mutable_training()->set_seed(3);
    ASSERT_OK_AND_ASSIGN(testing::ToyJob job, testing::PrepareToyJob(spec_, dir_.Join("job")));
    spec_ = job.spec;
    shards_ = job.shards;
    job_ = std::move(job);
  }

  std::unique_ptr<Trainer> Make() {
    TrainerConfig c = job_.TrainerConfigFor(spec_, 5);
    absl::StatusOr<std::unique_ptr<Trainer>> t = Trainer::Create(c);
    EXPECT_OK(t);
    return t.ok() ? std::move(*t) : nullptr;
  }

  TrainingLoopOptions Options(size_t kept = 2) {
    TrainingLoopOptions o = TrainingLoopOptions::FromSpec(spec_.training());
    o.validate = true;
    o.checkpoint_dir = dir_.Join("ckpt");
    o.checkpoints_kept = kept;
    return o;
  }

  std::vector<int64_t> StepsOnDisk() {
    std::vector<int64_t> steps;
    for (const CheckpointFile& f : ListCheckpoints(dir_.Join("ckpt"))) steps.push_back(f.step);
    return steps;
  }

  testing::TempDir dir_;
  v1::JobSpec spec_;
  std::vector<std::string> shards_;
  testing::ToyJob job_;
};

TEST_F(TrainingLoopTest, ValidatesAndCheckpointsAtTheirIntervalsAndAtTheEnd) {
  auto trainer = Make();
  ASSERT_NE(trainer, nullptr);
  RecordingObserver observer;
  EXPECT_THAT(RunTrainingLoop(*trainer, Options(), observer),
              testing::IsOkAndHolds(LoopEnd::kFinished));
  EXPECT_THAT(observer.steps, ElementsAre(1, 2, 3, 4, 5, 6, 7));
  EXPECT_THAT(observer.validations, ElementsAre(3, 6, 7));
  EXPECT_THAT(observer.checkpoints, ElementsAre(2, 4, 6, 7));
  EXPECT_THAT(observer.finals, ElementsAre(7));
  EXPECT_THAT(observer.lasts, ElementsAre(7));
  EXPECT_TRUE(observer.early_stops.empty());
  EXPECT_EQ(observer.checkpoint_before_step, 4);
  EXPECT_THAT(StepsOnDisk(), ElementsAre(6, 7));  // the newest two
  EXPECT_EQ(trainer->step(), 7);
  EXPECT_TRUE(trainer->Finished());
}

TEST_F(TrainingLoopTest, WithoutValidationSetOrCheckpointDirectoryNeitherHappens) {
  auto trainer = Make();
  ASSERT_NE(trainer, nullptr);
  TrainingLoopOptions o = Options();
  o.validate = false;
  o.checkpoint_dir.clear();
  RecordingObserver observer;
  EXPECT_THAT(RunTrainingLoop(*trainer, o, observer), testing::IsOkAndHolds(LoopEnd::kFinished));
  EXPECT_EQ(observer.steps.size(), 7u);
  EXPECT_TRUE(observer.validations.empty());
  EXPECT_TRUE(observer.checkpoints.empty());
  EXPECT_FALSE(PathExists(dir_.Join("ckpt")));
}

TEST_F(TrainingLoopTest, ZeroIntervalsMeanOnlyAtTheEnd) {
  auto trainer = Make();
  ASSERT_NE(trainer, nullptr);
  TrainingLoopOptions o = Options(/*kept=*/0);  // at least one is always kept
  o.validation_interval_steps = 0;
  o.checkpoint_interval_steps = 0;
  RecordingObserver observer;
  ASSERT_OK(RunTrainingLoop(*trainer, o, observer));
  EXPECT_THAT(observer.validations, ElementsAre(7));
  EXPECT_THAT(observer.checkpoints, ElementsAre(7));
  EXPECT_THAT(StepsOnDisk(), ElementsAre(7));
}

TEST_F(TrainingLoopTest, ObserverStopEndsTheLoopAfterThatStep) {
  auto trainer = Make();
  ASSERT_NE(trainer, nullptr);
  RecordingObserver observer;
  observer.stop_at = 4;
  EXPECT_THAT(RunTrainingLoop(*trainer, Options(), observer),
              testing::IsOkAndHolds(LoopEnd::kStopped));
  EXPECT_THAT(observer.steps, ElementsAre(1, 2, 3, 4));
  EXPECT_TRUE(observer.finals.empty());
  EXPECT_EQ(trainer->step(), 4);
  EXPECT_FALSE(trainer->Finished());
  // A later run (the next generation) continues where this one stopped.
  RecordingObserver rest;
  EXPECT_THAT(RunTrainingLoop(*trainer, Options(), rest),
              testing::IsOkAndHolds(LoopEnd::kFinished));
  EXPECT_THAT(rest.steps, ElementsAre(5, 6, 7));
  EXPECT_THAT(rest.validations, ElementsAre(6, 7));
}

TEST_F(TrainingLoopTest, CancelledBeforeAStepTrainsNothing) {
  auto trainer = Make();
  ASSERT_NE(trainer, nullptr);
  std::atomic<bool> cancel{true};
  RecordingObserver observer;
  EXPECT_THAT(RunTrainingLoop(*trainer, Options(), observer, &cancel),
              testing::IsOkAndHolds(LoopEnd::kCancelled));
  EXPECT_TRUE(observer.steps.empty());
  EXPECT_EQ(trainer->step(), 0);
}

TEST_F(TrainingLoopTest, AFinishedTrainerRunsNoStep) {
  auto trainer = Make();
  ASSERT_NE(trainer, nullptr);
  while (!trainer->Finished()) ASSERT_OK(trainer->Step().status());
  RecordingObserver observer;
  EXPECT_THAT(RunTrainingLoop(*trainer, Options(), observer),
              testing::IsOkAndHolds(LoopEnd::kFinished));
  EXPECT_TRUE(observer.steps.empty());
}

TEST_F(TrainingLoopTest, ObserverErrorsEndTheLoopWithThem) {
  auto trainer = Make();
  ASSERT_NE(trainer, nullptr);
  RecordingObserver observer;
  observer.fail_checkpoint_at = 4;
  EXPECT_THAT(RunTrainingLoop(*trainer, Options(), observer),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("upload refused")));
  EXPECT_THAT(observer.steps, ElementsAre(1, 2, 3));  // step 4's AfterStep never came
  EXPECT_EQ(trainer->step(), 4);
}

TEST_F(TrainingLoopTest, EarlyStoppingEndsWithAFinalCheckpoint) {
  // Validation every step, patience 1: training stops at the first validation whose BLEU is
  // not above the best so far. With 5 sentences and a tiny model BLEU moves rarely, but the
  // checks below hold whichever step it is.
  spec_.mutable_training()->set_max_steps(40);
  auto trainer = Make();
  ASSERT_NE(trainer, nullptr);
  TrainingLoopOptions o = Options();
  o.validation_interval_steps = 1;
  o.early_stopping_patience = 1;
  RecordingObserver observer;
  ASSERT_OK_AND_ASSIGN(const LoopEnd end, RunTrainingLoop(*trainer, o, observer));
  ASSERT_FALSE(observer.steps.empty());
  const int64_t last = observer.steps.back();
  EXPECT_THAT(observer.lasts, ElementsAre(last));
  EXPECT_THAT(observer.finals, ElementsAre(last));
  // Early stopped or not, the last step carries the account of its epoch.
  ASSERT_FALSE(observer.accounts.empty());
  EXPECT_EQ(observer.accounts.back().end_step, last);
  EXPECT_EQ(observer.accounts.back().repeated, 0);
  if (end == LoopEnd::kEarlyStopped) {
    EXPECT_THAT(observer.early_stops, ElementsAre(last));
    EXPECT_GE(last, 2);  // the first validation always improves on nothing
    EXPECT_FALSE(trainer->Finished());
  } else {
    EXPECT_EQ(end, LoopEnd::kFinished);
    EXPECT_TRUE(observer.early_stops.empty());
    EXPECT_EQ(last, 40);
  }
}

TEST_F(TrainingLoopTest, TimeBudgetEndsAfterTheFirstStepPastTheDeadlineAsAtMaxSteps) {
  // The clock advances 10 ms per step from 1000; the deadline is 1035: the step that brings
  // the clock to 1040 (step 4) is the last, validated and checkpointed as final.
  spec_.mutable_training()->set_max_steps(40);
  auto trainer = Make();
  ASSERT_NE(trainer, nullptr);
  TrainingLoopOptions o = Options();
  o.deadline_unix_ms = 1035;
  Trainer* t = trainer.get();
  o.now_ms = [t] { return 1000 + 10 * t->step(); };
  RecordingObserver observer;
  EXPECT_THAT(RunTrainingLoop(*trainer, o, observer), testing::IsOkAndHolds(LoopEnd::kTimeUp));
  EXPECT_THAT(observer.steps, ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(observer.lasts, ElementsAre(4));
  EXPECT_THAT(observer.validations, ElementsAre(3, 4));
  EXPECT_THAT(observer.finals, ElementsAre(4));
  EXPECT_FALSE(trainer->Finished());
  // Stopped inside the first epoch: its account so far comes with the last step.
  ASSERT_EQ(observer.accounts.size(), 1u);
  const EpochAccount& a = observer.accounts[0];
  EXPECT_EQ(a.epoch, 0);
  EXPECT_EQ(a.end_step, 4);
  EXPECT_FALSE(a.complete());
  EXPECT_GT(a.trained, 0);
  EXPECT_EQ(a.repeated, 0);
  EXPECT_EQ(a.distinct + a.never, a.pairs);
  EXPECT_GT(a.never, 0);
}

// With a time budget a linear schedule decays to 0 at the step where the budget runs out,
// estimated after every step from the steps' measured pace.
TEST_F(TrainingLoopTest, ALinearScheduleEndsWhereTheTimeBudgetDoes) {
  spec_.mutable_training()->set_max_steps(40);
  spec_.mutable_training()->set_lr_schedule("linear");
  spec_.mutable_training()->set_warmup_steps(0);
  spec_.mutable_training()->set_learning_rate(0.01f);
  auto trainer = Make();
  ASSERT_NE(trainer, nullptr);
  TrainingLoopOptions o = Options();
  // 10 ms a step from 1000; the deadline at 1100 passes at step 10, long before max_steps.
  o.deadline_unix_ms = 1100;
  Trainer* t = trainer.get();
  o.now_ms = [t] { return 1000 + 10 * t->step(); };
  RecordingObserver observer;
  EXPECT_THAT(RunTrainingLoop(*trainer, o, observer), testing::IsOkAndHolds(LoopEnd::kTimeUp));
  ASSERT_EQ(observer.steps.size(), 10u);
  EXPECT_THAT(observer.lasts, ElementsAre(10));
  EXPECT_THAT(observer.finals, ElementsAre(10));
  for (size_t i = 0; i < observer.steps.size(); ++i) {
    const int64_t k = observer.steps[i];
    EXPECT_EQ(observer.planned[i], 10) << "step " << k;
    // Step 1 ran before any estimate, on the way to max_steps. Then 0.01 * (10 - k) / 10.
    const double expected = k == 1 ? 0.01 * 39 / 40.0 : 0.01 * (10 - k) / 10.0;
    EXPECT_NEAR(observer.learning_rates[i], expected, 1e-9) << "step " << k;
  }
  EXPECT_EQ(observer.learning_rates.back(), 0.0);

  // A slower pace after a restart (20 ms a step) moves the end: the estimate follows, and a
  // given starting estimate (a new generation's) is used before the first step.
  auto again = Make();
  ASSERT_NE(again, nullptr);
  Trainer* a = again.get();
  o.now_ms = [a] { return 1000 + 20 * a->step(); };
  o.planned_steps = 5;
  o.checkpoint_dir = dir_.Join("ckpt2");
  RecordingObserver slow;
  EXPECT_THAT(RunTrainingLoop(*again, o, slow), testing::IsOkAndHolds(LoopEnd::kTimeUp));
  EXPECT_THAT(slow.lasts, ElementsAre(5));
  EXPECT_NEAR(slow.learning_rates[0], 0.01 * (5 - 1) / 5.0, 1e-9) << "the given estimate";
  EXPECT_THAT(slow.planned, ElementsAre(5, 5, 5, 5, 5));
}

// A budget without intervals of its own: a validation at every tenth of the planned steps, a
// checkpoint at every fifth, and both at the last step.
TEST_F(TrainingLoopTest, WithoutIntervalsValidationsAndCheckpointsAreSpacedOverTheBudget) {
  spec_.mutable_training()->set_max_steps(1000);
  spec_.mutable_training()->set_validation_interval_steps(0);
  spec_.mutable_training()->set_checkpoint_interval_steps(0);
  auto trainer = Make();
  ASSERT_NE(trainer, nullptr);
  TrainingLoopOptions o = Options(/*kept=*/10);
  o.deadline_unix_ms = 1200;  // 10 ms a step from 1000: step 20 is the last
  Trainer* t = trainer.get();
  o.now_ms = [t] { return 1000 + 10 * t->step(); };
  RecordingObserver observer;
  EXPECT_THAT(RunTrainingLoop(*trainer, o, observer), testing::IsOkAndHolds(LoopEnd::kTimeUp));
  EXPECT_THAT(observer.validations, ElementsAre(2, 4, 6, 8, 10, 12, 14, 16, 18, 20));
  EXPECT_THAT(observer.checkpoints, ElementsAre(4, 8, 12, 16, 20));
  EXPECT_THAT(observer.finals, ElementsAre(20));
  // max_steps before the budget's end: spaced over max_steps (10) instead.
  spec_.mutable_training()->set_max_steps(10);
  auto capped = Make();
  ASSERT_NE(capped, nullptr);
  Trainer* c = capped.get();
  o.now_ms = [c] { return 1000 + 10 * c->step(); };
  o.checkpoint_dir = dir_.Join("ckpt_capped");
  RecordingObserver early;
  EXPECT_THAT(RunTrainingLoop(*capped, o, early), testing::IsOkAndHolds(LoopEnd::kFinished));
  EXPECT_THAT(early.validations, ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  EXPECT_THAT(early.checkpoints, ElementsAre(2, 4, 6, 8, 10));
  EXPECT_THAT(early.planned, ::testing::Each(10));
  // Without a deadline an interval of 0 still means: only at the last step.
  spec_.mutable_training()->set_max_steps(5);
  TrainingLoopOptions p = Options();
  p.checkpoint_dir = dir_.Join("ckpt_plain");
  auto short_run = Make();
  ASSERT_NE(short_run, nullptr);
  RecordingObserver last_only;
  EXPECT_THAT(RunTrainingLoop(*short_run, p, last_only), testing::IsOkAndHolds(LoopEnd::kFinished));
  EXPECT_THAT(last_only.validations, ElementsAre(5));
  EXPECT_THAT(last_only.checkpoints, ElementsAre(5));
}

// An estimate beyond max_steps: max_steps ends the schedule.
TEST_F(TrainingLoopTest, PlannedStepsMeetMaxStepsAndWarmUp) {
  spec_.mutable_training()->set_max_steps(6);
  spec_.mutable_training()->set_lr_schedule("linear");
  spec_.mutable_training()->set_warmup_steps(2);
  spec_.mutable_training()->set_learning_rate(0.01f);
  auto trainer = Make();
  ASSERT_NE(trainer, nullptr);
  // The budget would allow 100 steps: max_steps (6) ends the schedule first.
  trainer->SetPlannedSteps(100);
  EXPECT_EQ(trainer->planned_steps(), 6) << "the expected end is the earlier one";
  TrainingLoopOptions o = Options();
  RecordingObserver observer;
  EXPECT_THAT(RunTrainingLoop(*trainer, o, observer), testing::IsOkAndHolds(LoopEnd::kFinished));
  ASSERT_EQ(observer.learning_rates.size(), 6u);
  EXPECT_NEAR(observer.learning_rates[1], 0.01, 1e-9);            // the end of warm-up
  EXPECT_NEAR(observer.learning_rates[3], 0.01 * 2 / 4.0, 1e-9);  // (6 - 4) / (6 - 2)
  EXPECT_EQ(observer.learning_rates[5], 0.0);
}

TEST_F(TrainingLoopTest, ADeadlineAlreadyPastStillTrainsOneStepAndEndsWithAModel) {
  auto trainer = Make();
  ASSERT_NE(trainer, nullptr);
  TrainingLoopOptions o = Options();
  o.deadline_unix_ms = 1;  // 1970: long past on the system clock
  RecordingObserver observer;
  EXPECT_THAT(RunTrainingLoop(*trainer, o, observer), testing::IsOkAndHolds(LoopEnd::kTimeUp));
  EXPECT_THAT(observer.steps, ElementsAre(1));
  EXPECT_THAT(observer.finals, ElementsAre(1));
}

TEST_F(TrainingLoopTest, MaxStepsBeforeTheDeadlineEndsAsFinished) {
  auto trainer = Make();
  ASSERT_NE(trainer, nullptr);
  TrainingLoopOptions o = Options();
  o.deadline_unix_ms = int64_t{1} << 62;  // far in the future
  RecordingObserver observer;
  EXPECT_THAT(RunTrainingLoop(*trainer, o, observer), testing::IsOkAndHolds(LoopEnd::kFinished));
  EXPECT_THAT(observer.lasts, ElementsAre(7));
}

}  // namespace
}  // namespace tandem
