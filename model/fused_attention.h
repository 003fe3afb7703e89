// Multi-head scaled dot-product attention as one autograd node (the Transformer's training
// pass, transformer.cc).
//
//   P_bh = softmax(q_bh k_bh^T / sqrt(dk)), masked keys exactly zero;  out_b = [P_b1 v_b1, ...]
//
// Why: LibTorch 1.13's bmm runs a batch of small matrices as one select + addmm per matrix
// (B * heads of them, each through the dispatcher), and the head split needs contiguous
// copies of q, k, v and of the output. Here each (batch row, head) pair is two BLAS sgemm
// calls reading q, k, v where they lie (the projections' outputs, any row stride) and writing
// the output straight into [B, Tq, heads * dk]; the softmax (and its backward) is ATen's own
// row kernel over all pairs at once, so the arithmetic is that of the composite it replaces.
// The pairs are split over LibTorch's threads; each pair is computed by one thread whatever
// the thread count, so results do not depend on it.
#ifndef TANDEM_MODEL_FUSED_ATTENTION_H_
#define TANDEM_MODEL_FUSED_ATTENTION_H_

#include <torch/types.h>

namespace tandem::model {

// True when FusedAttention takes these inputs: float32 CPU tensors [B, h, T, dk] whose last
// dimension is contiguous, and the process has BLAS's sgemm_ (it always has with Debian's
// LibTorch). Otherwise callers use the composite of ATen operators.
bool FusedAttentionSupports(const torch::Tensor& q, const torch::Tensor& k,
                            const torch::Tensor& v);

// q [B, h, Tq, dk], k and v [B, h, Tk, dk] (any strides but stride(3) == 1). `causal`: query i
// sees keys 0 .. i only (needs Tq == Tk). `pad_mask` [B, Tk] bool, true at keys that must not
// be seen, or undefined. Every query row must see at least one key. Returns [B, Tq, h * dk]
// (contiguous); `probs` (optional) receives the weights [B, h, Tq, Tk] (no gradient).
// Differentiable in q, k and v; supports one backward per forward.
torch::Tensor FusedAttention(const torch::Tensor& q, const torch::Tensor& k,
                             const torch::Tensor& v, bool causal, const torch::Tensor& pad_mask,
                             torch::Tensor* probs = nullptr);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_FUSED_ATTENTION_H_
