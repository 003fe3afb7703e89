#include "model/small_affine.h"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include <array>
#include <cstring>
#include <utility>

namespace tandem::model {
namespace {

// bfloat16 -> float: the 16 bits become the upper half.
inline float Bf16ToFloat(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}
inline float ToFloat(uint16_t h) { return Bf16ToFloat(h); }
inline float ToFloat(float f) { return f; }

// The portable builds: the weight rows [v0, v1), each read once and multiplied with every row
// of x (omp simd: 8 partial sums the compiler may vectorise). W: float, or bfloat16 bits.
template <typename W>
void RowsGeneric(const float* x, int64_t M, int64_t K, const W* w, const float* bias, int64_t V,
                 float* out, int64_t v0, int64_t v1) {
  for (int64_t v = v0; v < v1; ++v) {
    const W* wr = w + v * K;
    const float b = bias == nullptr ? 0.0f : bias[v];
    for (int64_t m = 0; m < M; ++m) {
      const float* xr = x + m * K;
      float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
      for (int64_t k = 0; k < K; ++k) acc += ToFloat(wr[k]) * xr[k];
      out[m * V + v] = b + acc;
    }
  }
}

// The AVX2 + FMA code: compiled for those instructions whatever the build's flags (function
// attributes, which GCC and Clang both honour), run only where the CPU has them
// (CpuHasAvx2Fma).
#define TANDEM_AVX2 __attribute__((target("avx2,fma")))

// Loads 8 weights as floats: bfloat16 widened (its 16 bits become the upper half), or float.
TANDEM_AVX2 inline __m256 Load8(const uint16_t* p) {
  const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}
TANDEM_AVX2 inline __m256 Load8(const float* p) { return _mm256_loadu_ps(p); }

// Each weight row is read 16 values at a time and multiplied into every row of x. M is a
// template argument so that the 2 M accumulators (two independent chains per row of x, for
// the FMA latency) are registers (up to M = 6 or so; beyond, some spill to the stack, which
// still beats a runtime-sized loop).
template <int M, typename W>
TANDEM_AVX2 void RowsAvx2(const float* x, int64_t K, const W* w, const float* bias, int64_t V,
                          float* out, int64_t v0, int64_t v1) {
  const int64_t K16 = K & ~int64_t{15};
  const int64_t K8 = K & ~int64_t{7};
  for (int64_t v = v0; v < v1; ++v) {
    const W* wr = w + v * K;
    __m256 a0[M], a1[M];
    for (int m = 0; m < M; ++m) a0[m] = a1[m] = _mm256_setzero_ps();
    int64_t k = 0;
    for (; k < K16; k += 16) {
      const __m256 w0 = Load8(wr + k), w1 = Load8(wr + k + 8);
      for (int m = 0; m < M; ++m) {
        a0[m] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x + m * K + k), a0[m]);
        a1[m] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(x + m * K + k + 8), a1[m]);
      }
    }
    if (k < K8) {
      const __m256 w0 = Load8(wr + k);
      for (int m = 0; m < M; ++m) a0[m] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x + m * K + k), a0[m]);
    }
    const float b = bias == nullptr ? 0.0f : bias[v];
    for (int m = 0; m < M; ++m) {
      const __m256 acc = _mm256_add_ps(a0[m], a1[m]);
      __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
      s = _mm_add_ps(s, _mm_movehl_ps(s, s));
      s = _mm_add_ss(s, _mm_movehdup_ps(s));
      float sum = _mm_cvtss_f32(s);
      for (int64_t t = K8; t < K; ++t) sum += ToFloat(wr[t]) * x[m * K + t];
      out[m * V + v] = b + sum;
    }
  }
}

template <typename W>
using RowsFn = void (*)(const float*, int64_t, const W*, const float*, int64_t, float*, int64_t,
                        int64_t);
template <typename W, int... Ms>
constexpr std::array<RowsFn<W>, sizeof...(Ms)> RowsTable(std::integer_sequence<int, Ms...>) {
  return {&RowsAvx2<Ms + 1, W>...};
}
// RowsAvx2<M, W> for M = 1 .. kSmallAffineMaxRows.
template <typename W>
constexpr auto kRowsAvx2 = RowsTable<W>(std::make_integer_sequence<int, kSmallAffineMaxRows>());
#undef TANDEM_AVX2

bool CpuHasAvx2Fma() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

// Weight rows per task: enough work per thread, few enough tasks to balance.
constexpr int64_t kGrain = 256;

}  // namespace

void SmallAffine(const float* x, int64_t M, int64_t K, const float* w, const float* bias,
                 int64_t V, float* out) {
  if (!CpuHasAvx2Fma() || M < 1 || M > kSmallAffineMaxRows) {
    SmallAffineGeneric(x, M, K, w, bias, V, out);
    return;
  }
  const RowsFn<float> rows = kRowsAvx2<float>[static_cast<size_t>(M - 1)];
  at::parallel_for(0, V, kGrain, [&](int64_t v0, int64_t v1) {
    rows(x, K, w, bias, V, out, v0, v1);
  });
}

void SmallAffineGeneric(const float* x, int64_t M, int64_t K, const float* w, const float* bias,
                        int64_t V, float* out) {
  at::parallel_for(0, V, kGrain, [&](int64_t v0, int64_t v1) {
    RowsGeneric<float>(x, M, K, w, bias, V, out, v0, v1);
  });
}

void SmallAffineBf16(const float* x, int64_t M, int64_t K, const uint16_t* w_bf16,
                     const float* bias, int64_t V, float* out) {
  if (!CpuHasAvx2Fma() || M < 1 || M > kSmallAffineMaxRows) {
    SmallAffineBf16Generic(x, M, K, w_bf16, bias, V, out);
    return;
  }
  const RowsFn<uint16_t> rows = kRowsAvx2<uint16_t>[static_cast<size_t>(M - 1)];
  at::parallel_for(0, V, kGrain, [&](int64_t v0, int64_t v1) {
    rows(x, K, w_bf16, bias, V, out, v0, v1);
  });
}

void SmallAffineBf16Generic(const float* x, int64_t M, int64_t K, const uint16_t* w_bf16,
                            const float* bias, int64_t V, float* out) {
  at::parallel_for(0, V, kGrain, [&](int64_t v0, int64_t v1) {
    RowsGeneric<uint16_t>(x, M, K, w_bf16, bias, V, out, v0, v1);
  });
}

}  // namespace tandem::model
