// The one training loop (DESIGN.md section 3), run by a worker for each generation of a job
// and by `tandem train --local` for a whole job. Per step, in this order:
//   1. Trainer::Step (one update, the same on every rank);
//   2. validation every validation_interval_steps (with a deadline and no interval: at every
//      tenth of the planned steps) and at the last step, when a validation
//      set exists (collective: every rank validates at the same steps and gets the same
//      figures), and early stopping on validation BLEU (the same decision on every rank);
//   3. a checkpoint every checkpoint_interval_steps (with a deadline and no interval: at
//      every fifth of the planned steps) and at the last step, when this process
//      writes checkpoints (the local mode; rank 0 of a distributed job): written to
//      `checkpoint_dir` under the common naming (common/checkpoint_files.h), the newest
//      `checkpoints_kept` kept, then handed to the observer (which uploads or copies it);
//   4. the observer's AfterStep with the step's figures, which may stop the loop.
// The last step is the one after which Trainer::Finished() holds, the first one after which
// any rank's clock is past the deadline (training.max_duration; the ranks agree after every
// step, before validating, in one exchange that also agrees on the planned last step), or the
// one whose validation decided to stop early.
#ifndef TANDEM_TRAINING_TRAINING_LOOP_H_
#define TANDEM_TRAINING_TRAINING_LOOP_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tandem/v1/job.pb.h"
#include "training/trainer.h"

namespace tandem {

// Early stopping on validation BLEU (training.early_stopping_patience; 0 = never).
class EarlyStopping {
 public:
  explicit EarlyStopping(uint32_t patience) : patience_(patience) {}
  // Records one validation; true when `patience` validations in a row brought no
  // improvement over the best BLEU so far.
  bool ShouldStop(double bleu) {
    if (bleu > best_) {
      best_ = bleu;
      bad_ = 0;
      return false;
    }
    return patience_ > 0 && ++bad_ >= patience_;
  }
  uint32_t bad_validations() const { return bad_; }

 private:
  uint32_t patience_;
  double best_ = -1;
  uint32_t bad_ = 0;
};

struct TrainingLoopOptions {
  // 0: validate (checkpoint) only at the last step; with a deadline, at every tenth (fifth)
  // of the planned steps as well.
  uint32_t validation_interval_steps = 0;
  uint32_t checkpoint_interval_steps = 0;
  uint32_t early_stopping_patience = 0;    // 0: never stop early
  bool validate = false;                   // a validation set exists
  std::string checkpoint_dir;              // "" : this process writes no checkpoints
  size_t checkpoints_kept = 1;             // in checkpoint_dir (at least 1 is kept)
  // Wall-clock end of training in Unix milliseconds (training.max_duration); 0: none.
  int64_t deadline_unix_ms = 0;
  // The clock the deadline is read from (Unix milliseconds); empty: the system clock.
  std::function<int64_t()> now_ms;
  // With a deadline: the ranks' last agreed estimate of the step at which it passes, to start
  // from (a generation's WorkAssignment.planned_steps; 0: none yet). After every step the
  // ranks estimate it again from the wall time of this loop's steps so far (validations and
  // checkpoints included) and agree on the mean (Trainer::SetPlannedSteps).
  int64_t planned_steps = 0;

  // The cadences of a job's TrainingSpec (defaults applied); validate, checkpoint_dir and
  // checkpoints_kept are the caller's.
  static TrainingLoopOptions FromSpec(const v1::TrainingSpec& training);
};

// What one step did, for the observer.
struct StepReport {
  StepStats stats;
  std::optional<ValidationStats> validation;  // set when this step validated
  bool early_stop = false;                    // this step's validation ended training
  bool time_up = false;                       // the deadline ended training after this step
  uint32_t bad_validations = 0;               // validations in a row without a better BLEU
  bool last = false;                          // no step follows: finished, or stopped early
  int64_t planned_steps = 0;  // with a deadline: the agreed estimate of the last step
  // This rank's share of the tokens per second since the loop started: global tokens /
  // world size / wall seconds of the steps.
  double tokens_per_second = 0;
};

// Where the loop's results go: the coordinator (worker/progress_reporter.h) or the terminal
// and a local folder (client/local_train.h).
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  // A checkpoint of `step` is at `path` (`final`: the finished model, the last step's).
  // Called before AfterStep of the same step. An error ends the loop with it.
  virtual absl::Status OnCheckpoint(const std::string& path, int64_t step, bool final) = 0;
  // After every step. Returns true to stop now (the coordinator ended the job or moved it to
  // another generation). An error ends the loop with it.
  virtual absl::StatusOr<bool> AfterStep(const StepReport& report) = 0;
};

enum class LoopEnd {
  kFinished,      // Trainer::Finished(): max_steps or epochs reached
  kEarlyStopped,  // validation BLEU stopped improving
  kTimeUp,        // the deadline passed (training.max_duration)
  kStopped,       // the observer said stop
  kCancelled,     // `cancel` was set
};

// Runs `trainer` until one of LoopEnd happens or an error (returned as is: a failed
// all-reduce is ABORTED, see Trainer::Step). Every rank of a generation runs it with the
// same options. `cancel` (may be null) is checked before each step.
absl::StatusOr<LoopEnd> RunTrainingLoop(Trainer& trainer, const TrainingLoopOptions& options,
                                        TrainingObserver& observer,
                                        const std::atomic<bool>* cancel = nullptr);

}  // namespace tandem

#endif  // TANDEM_TRAINING_TRAINING_LOOP_H_
