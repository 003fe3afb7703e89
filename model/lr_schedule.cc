#include "model/lr_schedule.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace tandem::model {

absl::Status Validate(const LrSchedule& s) {
  if (s.kind != "constant" && s.kind != "inverse_sqrt" && s.kind != "linear_decay") {
    return absl::InvalidArgumentError(absl::StrCat(
        "schedule.kind: unknown schedule '", s.kind,
        "' (expected constant, inverse_sqrt, linear_decay)"));
  }
  if (!(s.base_lr > 0.0 && s.base_lr < 10.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("schedule.base_lr: must be in (0, 10), got ", s.base_lr));
  }
  if (s.warmup_steps < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("schedule.warmup_steps: must be >= 0, got ", s.warmup_steps));
  }
  if (s.kind == "linear_decay" && s.total_steps != 0 && s.total_steps <= s.warmup_steps) {
    return absl::InvalidArgumentError(
        absl::StrCat("schedule.total_steps: must be > warmup_steps (", s.warmup_steps,
                     ") for linear_decay (or 0: not known yet), got ", s.total_steps));
  }
  return absl::OkStatus();
}

double LearningRate(const LrSchedule& s, int64_t step) {
  const double k = static_cast<double>(std::max<int64_t>(step, 1));
  const double warmup = static_cast<double>(s.warmup_steps);
  if (s.kind == "constant") return s.base_lr;
  if (k <= warmup) return s.base_lr * k / warmup;
  if (s.kind == "inverse_sqrt") {
    return warmup > 0 ? s.base_lr * std::sqrt(warmup / k) : s.base_lr / std::sqrt(k);
  }
  // linear_decay
  if (s.total_steps == 0) return s.base_lr;
  const double total = static_cast<double>(s.total_steps);
  return s.base_lr * std::max(0.0, (total - k) / (total - warmup));
}

}  // namespace tandem::model
