// Adam over flat float buffers, fused into one pass per parameter (torch-free).
//
// Contract: the update of PyTorch's Adam (torch.optim.Adam, amsgrad off, L2 weight decay added
// to the gradient), applied to g = grad * grad_scale, where grad_scale folds the division of
// gradient sums by the global token count and the clipping factor into the same pass:
//   g' = g + wd * p;  m = b1 m + (1 - b1) g';  v = b2 v + (1 - b2) g'^2
//   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// The state (step count t, m and v for every parameter in the fixed parameter order) lives
// in two flat buffers, so a checkpoint or a broadcast to a joining replica moves three
// arrays. The result equals torch::optim::Adam's within float rounding (tested); every
// replica running this code on the same inputs gets the same bits.
#ifndef TANDEM_MODEL_FLAT_ADAM_H_
#define TANDEM_MODEL_FLAT_ADAM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"

namespace tandem::model {

struct AdamConfig {
  double lr = 3e-4;
  double beta1 = 0.9;
  double beta2 = 0.98;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

// INVALID_ARGUMENT unless lr > 0, betas in [0, 1), eps > 0, weight_decay >= 0.
absl::Status ValidateAdam(const AdamConfig& config);

// One parameter tensor: its values (updated in place) and its gradient, `size` floats each.
struct ParamSpan {
  float* value = nullptr;
  const float* grad = nullptr;
  size_t size = 0;
};

class FlatAdam {
 public:
  // `sizes`: the element count of every parameter, in the fixed parameter order.
  FlatAdam(const std::vector<size_t>& sizes, const AdamConfig& config);

  // One update of every parameter (params[i] must have sizes[i] elements) with learning rate
  // `lr` and gradients multiplied by `grad_scale`.
  void Step(const std::vector<ParamSpan>& params, float grad_scale, double lr);

  int64_t steps() const { return steps_; }
  // State for checkpoints and broadcasts: m and v of all parameters, concatenated in order.
  std::vector<float>& exp_avg() { return m_; }
  std::vector<float>& exp_avg_sq() { return v_; }
  const std::vector<float>& exp_avg() const { return m_; }
  const std::vector<float>& exp_avg_sq() const { return v_; }
  void set_steps(int64_t steps) { steps_ = steps; }
  size_t total() const { return m_.size(); }

 private:
  AdamConfig config_;
  std::vector<size_t> offsets_;
  std::vector<float> m_, v_;
  int64_t steps_ = 0;
};

// sum of x[i]^2, accumulated in double (deterministic for a given input).
double SumOfSquares(const float* x, size_t n);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_FLAT_ADAM_H_
