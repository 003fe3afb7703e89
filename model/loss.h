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

// The output layer and the same loss in one step, without the [N, V] logits:
//   LabelSmoothedLoss(features W^T + bias, targets, epsilon, pad_id)
// with features [N, P] (or [..., P]), weight [V, P], bias [V] or undefined (no bias), targets
// [N] (or [...], as many as feature rows) int64. Rows are processed in chunks of
// `chunk_rows` (0: kFusedLossChunkRows), so only a chunk's [chunk, V] logits exist at a time.
// When a gradient is wanted (grad mode on at the call and an input requires grad) the forward
// also computes the gradients of features, weight and bias (chunk by chunk: g = p - eps/V -
// (1-eps) onehot(y), zero on pad rows; d features = g W, d weight = sum g^T x, d bias = sum g)
// and keeps only those ([N, P] + [V, P] + [V]); backward scales them by the incoming
// gradient. Under NoGradGuard, or when nothing requires grad, no gradient work is done. The
// weight may be used elsewhere in the graph (tied embeddings): it is an ordinary input.
// Supports one backward per forward (as LabelSmoothedLoss); a later backward with
// retain_graph returns the same gradients again.
inline constexpr int64_t kFusedLossChunkRows = 256;
absl::StatusOr<LossSum> FusedOutputLoss(const at::Tensor& features, const at::Tensor& weight,
                                        const at::Tensor& bias, const at::Tensor& targets,
                                        double epsilon, int64_t pad_id, int64_t chunk_rows = 0);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_LOSS_H_
