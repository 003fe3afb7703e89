// The teacher-forced decoder loop of a Bahdanau-attention, one-layer GRU decoder, unrolled
// over all T target positions as one autograd node with a hand-written backward through time.
//
// Same mathematics as Seq2SeqImpl's step-by-step path (R1.md 1.3):
//   q_t, gh_t = W_q s_{t-1}, W_hh s_{t-1} + b_hh          (one [B, D] x [D, att + 3D] GEMM)
//   e_tj = v . tanh(q_t + k_j), masked at padding; a_t = softmax_j(e_t); c_t = sum_j a_tj h_j
//   gi_t = gi_w[t] + W_ic c_t;  s_t = GRU(gi_t, gh_t, s_{t-1})
// Why: autograd runs ~20 small operators per step and differentiates each separately. Here a
// step is two GEMMs plus three fused loops (energies+tanh, softmax+context, GRU gates), and the
// backward accumulates the key and annotation gradients in place and computes the weight
// gradients of all T steps in one GEMM each ([T*B] rows) instead of T small ones plus T adds.
#ifndef TANDEM_MODEL_FUSED_DECODER_H_
#define TANDEM_MODEL_FUSED_DECODER_H_

#include <torch/types.h>

namespace tandem::model {

struct FusedDecoderOutput {
  torch::Tensor states;    // [T, B, D] s_1 .. s_T
  torch::Tensor contexts;  // [T, B, A] c_1 .. c_T
  torch::Tensor weights;   // [T, B, S] a_t (no gradient); exactly zero at padding
};

// Inputs (float or double, all of one dtype, CPU):
//   gi_w [T, B, 3D]  W_iw w_t + b_ih (the embedding part of the GRU input projection)
//   s0 [B, D], keys [B, S, att] (W_k h_j), annotations [B, S, A] (h_j)
//   pad_mask [B, S] bool (true at padding) or undefined; every row needs one real position
//   w_q [att, D], w_hh [3D, D], b_hh [3D], v [att], w_ic [3D, A] (the context columns of W_ih)
// Keeps only q_t per step: backward recomputes tanh(q_t + k_j) (cheaper than storing the
// [B, S, att] tanh of every step; the step-by-step path calls this recompute_attention).
// Differentiable in every tensor but pad_mask; supports one backward per forward.
FusedDecoderOutput BahdanauGruDecode(const torch::Tensor& gi_w, const torch::Tensor& s0,
                                     const torch::Tensor& keys, const torch::Tensor& annotations,
                                     const torch::Tensor& pad_mask, const torch::Tensor& w_q,
                                     const torch::Tensor& w_hh, const torch::Tensor& b_hh,
                                     const torch::Tensor& v, const torch::Tensor& w_ic);

// One decoding step of Bahdanau attention, without gradients, by the same fused loops: the
// energies v . tanh(q_b + k_bs) (FastTanh; -inf at padding), their softmax and the context,
// with no [B, S, att] temporary. keys [B, S, att], q [B, att], v [att] (any shape of att
// elements), pad_mask [B, S] bool or undefined, annotations [B, S, A]; float32, contiguous
// (checked). Returns the context [B, A]; `weights` (optional) receives [B, S]. Rows are
// split over LibTorch's intra-op threads; each row's result is the same at any thread count.
torch::Tensor AdditiveAttentionStep(const torch::Tensor& keys, const torch::Tensor& q,
                                    const torch::Tensor& v, const torch::Tensor& pad_mask,
                                    const torch::Tensor& annotations, torch::Tensor* weights);

// For tests: run the generic x86-64 build of the loops even on a CPU with AVX2 + FMA.
void UseGenericFusedLoops(bool on);

// y[i] = tanh(x[i]) as the fused loops compute it in float (absolute error below 3e-7):
// 8-lane blocks, then one element at a time for the last n mod 8. Exposed for its test.
void FastTanh(const float* x, float* y, int64_t n);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_FUSED_DECODER_H_
