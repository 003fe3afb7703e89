// Optimizer helpers: Adam as in R1.md 1.5 (torch::optim::Adam implements PyTorch's update
// exactly), setting its learning rate from a schedule, and clipping by global norm.
#ifndef TANDEM_MODEL_OPTIM_H_
#define TANDEM_MODEL_OPTIM_H_

#include <torch/optim/adam.h>

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "model/flat_adam.h"  // AdamConfig

namespace tandem::model {

absl::StatusOr<std::unique_ptr<torch::optim::Adam>> MakeAdam(
    const std::vector<torch::Tensor>& parameters, const AdamConfig& config);

// Sets the learning rate of every parameter group.
void SetLearningRate(torch::optim::Optimizer& optimizer, double lr);

// total = sqrt(sum over parameters of ||grad||^2) (parameters without a gradient are
// skipped); if max_norm / (total + 1e-6) < 1 every gradient is multiplied by that factor
// (PyTorch's clip_grad_norm_). Returns total, computed in double. max_norm <= 0 only
// measures.
double ClipGradNorm(const std::vector<torch::Tensor>& parameters, double max_norm);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_OPTIM_H_
