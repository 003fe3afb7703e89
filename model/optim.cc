#include "model/optim.h"

#include <torch/types.h>
#include <torch/utils.h>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "model/seq2seq.h"

namespace tandem::model {

absl::StatusOr<std::unique_ptr<torch::optim::Adam>> MakeAdam(
    const std::vector<torch::Tensor>& parameters, const AdamConfig& c) {
  if (absl::Status valid = ValidateAdam(c); !valid.ok()) return valid;
  try {
    return std::make_unique<torch::optim::Adam>(
        parameters, torch::optim::AdamOptions(c.lr)
                        .betas({c.beta1, c.beta2})
                        .eps(c.eps)
                        .weight_decay(c.weight_decay)
                        .amsgrad(false));
  } catch (const std::exception& e) {
    return TorchError("MakeAdam", e);
  }
}

void SetLearningRate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) {
    group.options().set_lr(lr);
  }
}

double ClipGradNorm(const std::vector<torch::Tensor>& parameters, double max_norm) {
  torch::NoGradGuard no_grad;
  double sq = 0.0;
  for (const auto& p : parameters) {
    const auto& g = p.grad();
    if (!g.defined()) continue;
    // Per-tensor norms (no copies, like clip_grad_norm_), combined in double.
    const double n = g.norm().item<double>();
    sq += n * n;
  }
  const double total = std::sqrt(sq);
  if (max_norm > 0) {
    const double factor = max_norm / (total + 1e-6);
    if (factor < 1.0) {
      for (const auto& p : parameters) {
        if (p.grad().defined()) p.grad().mul_(factor);
      }
    }
  }
  return total;
}

}  // namespace tandem::model
