// x W^T + b for a few rows (a decoder step of greedy or beam search over a sentence or two) without
// BLAS's matrix-matrix path, which copies (packs) the whole weight matrix on every call: for
// the README-size output layer (8,000 x 512) that copy costs more than the product of a few
// rows. Here every weight row is read once and multiplied with all rows of x while it is in
// cache, so a call costs about one read of W. Torch-free: raw row-major float arrays.
#ifndef TANDEM_MODEL_SMALL_AFFINE_H_
#define TANDEM_MODEL_SMALL_AFFINE_H_

#include <cstdint>

namespace tandem::model {

// The most rows SmallAffine is meant for: beyond, BLAS's packing pays for itself.
inline constexpr int64_t kSmallAffineMaxRows = 16;

// out[m * V + v] = bias[v] + sum_k x[m * K + k] * w[v * K + k], for m < M, v < V; x [M, K],
// w [V, K], bias [V] (may be null: 0), out [M, V]. Splits V over LibTorch's intra-op
// threads; uses AVX2 + FMA where the CPU has them. Sums in a different order than BLAS:
// results agree to float rounding, not bit for bit.
void SmallAffine(const float* x, int64_t M, int64_t K, const float* w, const float* bias,
                 int64_t V, float* out);

// The generic x86-64 build alone (for tests on a CPU with AVX2).
void SmallAffineGeneric(const float* x, int64_t M, int64_t K, const float* w, const float* bias,
                        int64_t V, float* out);

// SmallAffine with the weights in bfloat16 (`w_bf16` [V, K]: the upper 16 bits of each float,
// as FloatToBf16 rounds them), x, bias and the sums in float32: half the bytes of w to read,
// which is what a decoder step of a few rows waits for. M <= kSmallAffineMaxRows.
void SmallAffineBf16(const float* x, int64_t M, int64_t K, const uint16_t* w_bf16,
                     const float* bias, int64_t V, float* out);
// Its generic x86-64 build alone (for tests).
void SmallAffineBf16Generic(const float* x, int64_t M, int64_t K, const uint16_t* w_bf16,
                            const float* bias, int64_t V, float* out);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_SMALL_AFFINE_H_
