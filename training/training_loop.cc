#include "training/training_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "common/checkpoint_files.h"
#include "common/files.h"
#include "common/status.h"

namespace tandem {
namespace {

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Due(int64_t step, uint32_t interval) {
  return interval > 0 && step % static_cast<int64_t>(interval) == 0;
}

// Whether `step` is the first at or past one of the `parts` equal parts of `planned` steps.
bool DueInBudget(int64_t step, int64_t planned, int64_t parts) {
  return planned > 0 && step * parts / planned > (step - 1) * parts / planned;
}

// Validations and checkpoints over a time budget whose job gives no interval.
constexpr int64_t kBudgetValidations = 10;
constexpr int64_t kBudgetCheckpoints = 5;

// The step at which `deadline_ms` passes if the steps to come take as long as this loop's
// steps so far: the first step ending at or after it (the time-up rule). `step` itself once
// past the deadline; 0 before any step.
int64_t EstimateLastStep(int64_t start_ms, int64_t start_step, int64_t now_ms, int64_t step,
                         int64_t deadline_ms) {
  const int64_t steps = step - start_step;
  if (steps <= 0) return 0;
  if (now_ms >= deadline_ms) return step;
  const double per_step = std::max(1e-3, static_cast<double>(now_ms - start_ms) / steps);
  return step + static_cast<int64_t>(std::ceil(static_cast<double>(deadline_ms - now_ms) / per_step));
}

}  // namespace

TrainingLoopOptions TrainingLoopOptions::FromSpec(const v1::TrainingSpec& training) {
  TrainingLoopOptions options;
  options.validation_interval_steps = training.validation_interval_steps();
  options.checkpoint_interval_steps = training.checkpoint_interval_steps();
  options.early_stopping_patience = training.early_stopping_patience();
  return options;
}

absl::StatusOr<LoopEnd> RunTrainingLoop(Trainer& trainer, const TrainingLoopOptions& options,
                                        TrainingObserver& observer,
                                        const std::atomic<bool>* cancel) {
  if (!options.checkpoint_dir.empty()) TANDEM_RETURN_IF_ERROR(MakeDirs(options.checkpoint_dir));
  EarlyStopping early_stopping(options.early_stopping_patience);
  const double world = std::max(1, trainer.world_size());
  double tokens = 0, seconds = 0;
  const auto clock = [&options] { return options.now_ms ? options.now_ms() : WallClockMs(); };
  const int64_t start_ms = options.deadline_unix_ms > 0 ? clock() : 0;
  const int64_t start_step = trainer.step();
  if (options.deadline_unix_ms > 0) trainer.SetPlannedSteps(options.planned_steps);
  while (!trainer.Finished()) {
    if (cancel != nullptr && *cancel) return LoopEnd::kCancelled;
    StepReport report;
    TANDEM_ASSIGN_OR_RETURN(report.stats, trainer.Step());
    const int64_t step = report.stats.step;
    tokens += static_cast<double>(report.stats.tokens) / world;
    seconds += report.stats.seconds;
    report.tokens_per_second = tokens / std::max(seconds, 1e-9);
    report.last = trainer.Finished();
    if (options.deadline_unix_ms > 0) {
      // One exchange decides both: whether any rank's clock is past the deadline, and the
      // mean of the ranks' estimates of the last step (the learning rate of the next step
      // follows it, the same on every rank).
      const int64_t now = clock();
      const int64_t estimate =
          EstimateLastStep(start_ms, start_step, now, step, options.deadline_unix_ms);
      TANDEM_ASSIGN_OR_RETURN(
          std::vector<double> sums,
          trainer.SumOverRanks({now >= options.deadline_unix_ms ? 1.0 : 0.0,
                                static_cast<double>(estimate)}));
      report.time_up = sums[0] > 0;
      report.last |= report.time_up;
      trainer.SetPlannedSteps(std::llround(sums[1] / world));
      report.planned_steps = trainer.planned_steps();
    }
    // Every `interval` steps; without one, spaced over a time budget (report.planned_steps is
    // 0 without a deadline, and the same on every rank with one, so they all agree).
    auto due = [&](uint32_t interval, int64_t budget_parts) {
      return interval > 0 ? Due(step, interval)
                          : DueInBudget(step, report.planned_steps, budget_parts);
    };
    const bool validation_due = due(options.validation_interval_steps, kBudgetValidations);
    const bool checkpoint_due = due(options.checkpoint_interval_steps, kBudgetCheckpoints);
    if (options.validate && (validation_due || report.last)) {
      TANDEM_ASSIGN_OR_RETURN(report.validation, trainer.Validate());
      report.early_stop = early_stopping.ShouldStop(report.validation->bleu);
      report.bad_validations = early_stopping.bad_validations();
      if (report.early_stop) report.last = true;
    }
    if (report.last && !report.stats.epoch_account.has_value()) {
      // Stopped inside an epoch (the deadline, early stopping): what it trained so far. The
      // ranks agree on `last`, so they all take part.
      TANDEM_ASSIGN_OR_RETURN(report.stats.epoch_account, trainer.EpochAccountSoFar());
    }
    if (!options.checkpoint_dir.empty() &&
        (checkpoint_due || report.last)) {
      const std::string path = options.checkpoint_dir + "/" + CheckpointFileName(step);
      TANDEM_RETURN_IF_ERROR(trainer.SaveCheckpoint(path));
      TANDEM_RETURN_IF_ERROR(
          RotateCheckpoints(options.checkpoint_dir, std::max<size_t>(1, options.checkpoints_kept)));
      TANDEM_RETURN_IF_ERROR(observer.OnCheckpoint(path, step, report.last));
    }
    TANDEM_ASSIGN_OR_RETURN(const bool stop, observer.AfterStep(report));
    if (report.early_stop) return LoopEnd::kEarlyStopped;
    if (report.time_up && !trainer.Finished()) return LoopEnd::kTimeUp;
    if (stop) return LoopEnd::kStopped;
  }
  return LoopEnd::kFinished;
}

}  // namespace tandem
