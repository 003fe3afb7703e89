// Fused pieces of the Transformer's training pass (transformer.cc), each one autograd node
// with the arithmetic of the operators it replaces (same ATen kernels, same order, so the
// same results bit for bit) but fewer saved tensors:
//   NormLinear        linear(layer_norm(x)): keeps x and the row statistics, not the
//                     normalised activations (recomputed in backward, a row kernel's work);
//   ResidualDropout   x + dropout(y): keeps the mask as bool (1 byte an element), not as a
//                     float tensor, and makes no y * mask temporary;
//   KeepMask          its masks, from one 64-bit seed (a counter-based generator, split over
//                     threads): ~10x faster than bernoulli_'s one Mersenne Twister draw and
//                     double per element.
#ifndef TANDEM_MODEL_TRANSFORMER_OPS_H_
#define TANDEM_MODEL_TRANSFORMER_OPS_H_

#include <torch/types.h>

namespace tandem::model {

// addmm(b, x, w^T) over the last dimension of x [..., E]: [..., O] for w [O, E], b [O], as
// torch::linear computes it, but the bias rows are laid down by memcpy rather than ATen's
// broadcasting copy (which costs as much as a small GEMM). Composite for non-float32-CPU.
torch::Tensor Affine(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b);

// addmm(b, layer_norm(x; ln_w, ln_b, eps), w^T) over the last dimension of x [..., E]:
// [..., O] for w [O, E], b [O]. Falls back to the composite for anything but float32 CPU.
// For 2-D x the result is no view, so it may be modified in place (relu_).
torch::Tensor NormLinear(const torch::Tensor& x, const torch::Tensor& ln_w,
                         const torch::Tensor& ln_b, double eps, const torch::Tensor& w,
                         const torch::Tensor& b);

// x + y * (keep_mask ? 1 / keep : 0), x and y of one shape; keep_mask bool of that shape
// (true where kept) or undefined (then x + y). As x + y * mask with the float mask
// bernoulli(keep) / keep that the same draws give.
// A bool mask of `sizes`, each element true (kept) with probability `keep` (to 2^-24), a
// function of `seed` only: element i uses half (i mod 2) of SplitMix64's output number i / 2
// from state `seed`, kept when its top 24 bits are below keep * 2^24. Any thread count gives
// the same mask.
torch::Tensor KeepMask(at::IntArrayRef sizes, double keep, uint64_t seed);

torch::Tensor ResidualDropout(const torch::Tensor& x, const torch::Tensor& y,
                              const torch::Tensor& keep_mask, double keep);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_TRANSFORMER_OPS_H_
