#include "model/small_affine.h"

#include <ATen/Parallel.h>

namespace tandem::model {
namespace {

// The weight rows [v0, v1): each read once, multiplied with every row of x. The dot product
// keeps 8 partial sums so that the compiler may vectorise it (-O3, omp simd).
#define TANDEM_SMALL_AFFINE_ROWS                                                          \
  void Rows(const float* x, int64_t M, int64_t K, const float* w, const float* bias,       \
            int64_t V, float* out, int64_t v0, int64_t v1) {                               \
    for (int64_t v = v0; v < v1; ++v) {                                                    \
      const float* wr = w + v * K;                                                         \
      const float b = bias == nullptr ? 0.0f : bias[v];                                    \
      for (int64_t m = 0; m < M; ++m) {                                                    \
        const float* xr = x + m * K;                                                       \
        float acc = 0.0f;                                                                  \
        _Pragma("omp simd reduction(+ : acc)") for (int64_t k = 0; k < K; ++k) {           \
          acc += wr[k] * xr[k];                                                            \
        }                                                                                  \
        out[m * V + v] = b + acc;                                                          \
      }                                                                                    \
    }                                                                                      \
  }

namespace generic {
TANDEM_SMALL_AFFINE_ROWS
}  // namespace generic
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
TANDEM_SMALL_AFFINE_ROWS
}  // namespace avx2
#pragma GCC pop_options
#undef TANDEM_SMALL_AFFINE_ROWS

bool CpuHasAvx2Fma() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

// Weight rows per task: enough work per thread, few enough tasks to balance.
constexpr int64_t kGrain = 256;

}  // namespace

void SmallAffine(const float* x, int64_t M, int64_t K, const float* w, const float* bias,
                 int64_t V, float* out) {
  auto* rows = CpuHasAvx2Fma() ? &avx2::Rows : &generic::Rows;
  at::parallel_for(0, V, kGrain, [&](int64_t v0, int64_t v1) {
    rows(x, M, K, w, bias, V, out, v0, v1);
  });
}

void SmallAffineGeneric(const float* x, int64_t M, int64_t K, const float* w, const float* bias,
                        int64_t V, float* out) {
  at::parallel_for(0, V, kGrain, [&](int64_t v0, int64_t v1) {
    generic::Rows(x, M, K, w, bias, V, out, v0, v1);
  });
}

}  // namespace tandem::model
