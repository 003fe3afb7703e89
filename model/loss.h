// Label-smoothed cross-entropy, summed over the non-pad target tokens (R1.md 1.5):
//   l = (1 - eps) * (-log p_y) + (eps / V) * sum_k (-log p_k),   p = softmax(z)
// with eps spread uniformly over all V classes (gold and special ids included; PyTorch's
// `label_smoothing`). The distributed trainer all-reduces the sum and the token count and
// divides by the global count, so the loss is returned as a sum, never as a mean.
#ifndef TANDEM_MODEL_LOSS_H_
#define TANDEM_MODEL_LOSS_H_

#include <ATen/core/Tensor.h>

#include <cstdint>

#include "absl/status/statusor.h"

namespace tandem::model {

struct LossSum {
  at::Tensor sum;      // scalar, differentiable: sum of l over non-pad positions
  int64_t tokens = 0;  // number of non-pad positions of the targets
};

// logits [B, T, V] (or [N, V]), targets [B, T] (or [N]) int64; positions whose target is
// `pad_id` count neither in the sum nor in `tokens`. epsilon in [0, 1).
absl::StatusOr<LossSum> LabelSmoothedLoss(const at::Tensor& logits, const at::Tensor& targets,
                                          double epsilon, int64_t pad_id);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_LOSS_H_
