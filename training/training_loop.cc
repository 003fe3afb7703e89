#include "training/training_loop.h"

#include <algorithm>
#include <chrono>

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
      const int64_t now = options.now_ms ? options.now_ms() : WallClockMs();
      TANDEM_ASSIGN_OR_RETURN(report.time_up, trainer.AnyRank(now >= options.deadline_unix_ms));
      report.last |= report.time_up;
    }
    if (options.validate && (Due(step, options.validation_interval_steps) || report.last)) {
      TANDEM_ASSIGN_OR_RETURN(report.validation, trainer.Validate());
      report.early_stop = early_stopping.ShouldStop(report.validation->bleu);
      report.bad_validations = early_stopping.bad_validations();
      if (report.early_stop) report.last = true;
    }
    if (!options.checkpoint_dir.empty() &&
        (Due(step, options.checkpoint_interval_steps) || report.last)) {
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
