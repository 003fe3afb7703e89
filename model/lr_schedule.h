// Learning-rate schedules: pure functions of the update number (torch-free).
//
//   constant:      lr(k) = base_lr
//   inverse_sqrt:  lr(k) = base_lr * k / warmup                     for k <= warmup
//                        = base_lr * sqrt(warmup / k)               for k > warmup
//   linear_decay:  lr(k) = base_lr * k / warmup                     for k <= warmup
//                        = base_lr * max(0, (total - k) / (total - warmup))   for k > warmup
//                  (total 0: the end is not known yet, and lr(k) = base_lr after warm-up;
//                  a time budget's estimate sets it while training, training/trainer.h)
// k counts updates from 1 (the first optimizer step uses lr(1)); warmup = 0 skips warm-up.
#ifndef TANDEM_MODEL_LR_SCHEDULE_H_
#define TANDEM_MODEL_LR_SCHEDULE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace tandem::model {

struct LrSchedule {
  std::string kind = "constant";  // "constant" | "inverse_sqrt" | "linear_decay"
  double base_lr = 3e-4;
  int64_t warmup_steps = 0;
  int64_t total_steps = 0;  // linear_decay only: lr reaches 0 here (0: not known yet)
};

// OK, or InvalidArgument naming the field ("schedule.<field>: ...").
absl::Status Validate(const LrSchedule& schedule);

// The learning rate of update `step` (>= 1; values < 1 are treated as 1). `schedule` must be
// valid.
double LearningRate(const LrSchedule& schedule, int64_t step);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_LR_SCHEDULE_H_
