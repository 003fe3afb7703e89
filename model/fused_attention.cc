#include "model/fused_attention.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <torch/autograd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace tandem::model {

namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// BLAS's Fortran sgemm_, from whichever libblas.so.3 LibTorch loaded (the process's, found
// at run time so that this library needs no BLAS of its own at link time). The two trailing
// lengths are the hidden Fortran string lengths of transa and transb.
using SgemmFn = void (*)(const char*, const char*, const int*, const int*, const int*,
                         const float*, const float*, const int*, const float*, const int*,
                         const float*, float*, const int*, size_t, size_t);

SgemmFn Sgemm() {
  static const SgemmFn fn = reinterpret_cast<SgemmFn>(dlsym(RTLD_DEFAULT, "sgemm_"));
  return fn;
}

// Row-major C [M, N] (row stride ldc) = alpha op(A) op(B) + beta C, op(A) [M, K], op(B) [K, N];
// ta: A is stored [K, M] (row stride lda), else [M, K]; tb likewise for B. BLAS is
// column-major, so this asks it for C^T = op(B)^T op(A)^T.
void Gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  const char a = tb ? 'T' : 'N', b = ta ? 'T' : 'N';
  const int m = static_cast<int>(N), n = static_cast<int>(M), k = static_cast<int>(K);
  const int la = static_cast<int>(ldb), lb = static_cast<int>(lda), lc = static_cast<int>(ldc);
  Sgemm()(&a, &b, &m, &n, &k, &alpha, B, &la, A, &lb, &beta, C, &lc, 1, 1);
}

// A [B, h, T, dk] operand: element (b, hh, t, j) at base + b s0 + hh s1 + t ld + j.
struct Operand {
  const float* base;
  int64_t s0, s1, ld;
  explicit Operand(const Tensor& x)
      : base(x.data_ptr<float>()), s0(x.stride(0)), s1(x.stride(1)), ld(x.stride(2)) {}
  const float* At(int64_t b, int64_t hh) const { return base + b * s0 + hh * s1; }
};

// The (batch row, head) pairs split over LibTorch's threads; one pair is one task.
template <typename F>
void ForEachPair(int64_t pairs, const F& f) {
  at::parallel_for(0, pairs, 1, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p) f(p);
  });
}

class FusedAttentionFunction : public torch::autograd::Function<FusedAttentionFunction> {
 public:
  // pad_mask: [B, Tk] bool, or a [0] placeholder when has_pad is false (LibTorch's custom
  // functions take no undefined tensor inputs).
  static variable_list forward(AutogradContext* ctx, const Tensor& q, const Tensor& k,
                               const Tensor& v, const Tensor& pad_mask, bool causal,
                               bool has_pad) {
    const int64_t B = q.size(0), h = q.size(1), Tq = q.size(2), dk = q.size(3), Tk = k.size(2);
    const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(dk)));
    Tensor scores = torch::empty({B, h, Tq, Tk}, q.options());
    Tensor out = torch::empty({B, Tq, h * dk}, q.options());
    const Operand Q(q), K(k), V(v);
    float* S = scores.data_ptr<float>();
    ForEachPair(B * h, [&](int64_t p) {
      const int64_t b = p / h, hh = p % h;
      Gemm(false, true, Tq, Tk, dk, scale, Q.At(b, hh), Q.ld, K.At(b, hh), K.ld, 0.0f,
           S + p * Tq * Tk, Tk);
    });
    const double inf = std::numeric_limits<double>::infinity();
    if (causal) {
      scores.masked_fill_(
          torch::ones({Tq, Tk}, torch::TensorOptions().dtype(torch::kBool)).triu(1), -inf);
    }
    if (has_pad) scores.masked_fill_(pad_mask.reshape({B, 1, 1, Tk}), -inf);
    Tensor probs = at::_softmax(scores, 3, /*half_to_float=*/false);  // ATen's row kernel
    scores = Tensor();
    const float* P = probs.data_ptr<float>();
    float* O = out.data_ptr<float>();
    const int64_t E = h * dk;
    ForEachPair(B * h, [&](int64_t p) {
      const int64_t b = p / h, hh = p % h;
      Gemm(false, false, Tq, dk, Tk, 1.0f, P + p * Tq * Tk, Tk, V.At(b, hh), V.ld, 0.0f,
           O + b * Tq * E + hh * dk, E);
    });
    ctx->save_for_backward({q, k, v, probs});
    ctx->mark_non_differentiable({probs});
    return {out, probs};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_output) {
    const auto saved = ctx->get_saved_variables();
    const Tensor &q = saved[0], &k = saved[1], &v = saved[2], &probs = saved[3];
    const int64_t B = q.size(0), h = q.size(1), Tq = q.size(2), dk = q.size(3), Tk = k.size(2);
    const int64_t E = h * dk;
    const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(dk)));
    const Tensor dout = grad_output[0].contiguous();  // [B, Tq, E]
    const auto opts = q.options();
    // Gradients laid out [B, T, h, dk] (what the head split's backward turns into [B, T, E]
    // without a copy), returned as [B, h, T, dk] views.
    Tensor dq = torch::empty({B, Tq, h, dk}, opts), dkey = torch::empty({B, Tk, h, dk}, opts),
           dv = torch::empty({B, Tk, h, dk}, opts);
    Tensor dprobs = torch::empty({B, h, Tq, Tk}, opts);
    const Operand Q(q), K(k), V(v);
    const float* P = probs.data_ptr<float>();
    const float* dO = dout.data_ptr<float>();
    float* dP = dprobs.data_ptr<float>();
    float* dV = dv.data_ptr<float>();
    ForEachPair(B * h, [&](int64_t p) {
      const int64_t b = p / h, hh = p % h;
      const float* dO_p = dO + b * Tq * E + hh * dk;
      // dP = dO V^T [Tq, Tk];  dV = P^T dO [Tk, dk]
      Gemm(false, true, Tq, Tk, dk, 1.0f, dO_p, E, V.At(b, hh), V.ld, 0.0f, dP + p * Tq * Tk,
           Tk);
      Gemm(true, false, Tk, dk, Tq, 1.0f, P + p * Tq * Tk, Tk, dO_p, E, 0.0f,
           dV + b * Tk * E + hh * dk, E);
    });
    // dS = P (dP - rowsum(dP P)): zero wherever P is (the masked keys).
    const Tensor dscores = at::_softmax_backward_data(dprobs, probs, 3, at::kFloat);
    dprobs = Tensor();
    const float* dS = dscores.data_ptr<float>();
    float* dQ = dq.data_ptr<float>();
    float* dK = dkey.data_ptr<float>();
    ForEachPair(B * h, [&](int64_t p) {
      const int64_t b = p / h, hh = p % h;
      const float* dS_p = dS + p * Tq * Tk;
      // dQ = scale dS K [Tq, dk];  dK = scale dS^T Q [Tk, dk]
      Gemm(false, false, Tq, dk, Tk, scale, dS_p, Tk, K.At(b, hh), K.ld, 0.0f,
           dQ + b * Tq * E + hh * dk, E);
      Gemm(true, false, Tk, dk, Tq, scale, dS_p, Tk, Q.At(b, hh), Q.ld, 0.0f,
           dK + b * Tk * E + hh * dk, E);
    });
    return {dq.transpose(1, 2), dkey.transpose(1, 2), dv.transpose(1, 2), Tensor(), Tensor(),
            Tensor()};
  }
};

}  // namespace

bool FusedAttentionSupports(const Tensor& q, const Tensor& k, const Tensor& v) {
  if (Sgemm() == nullptr) return false;
  for (const Tensor* t : {&q, &k, &v}) {
    if (!t->defined() || t->dim() != 4 || t->scalar_type() != torch::kFloat ||
        !t->device().is_cpu() || t->stride(3) != 1 || t->size(3) == 0) {
      return false;
    }
  }
  // sgemm takes int sizes and strides.
  constexpr int64_t kMax = std::numeric_limits<int>::max();
  return q.size(2) * q.size(1) * q.size(3) < kMax && k.size(2) * k.size(1) * k.size(3) < kMax &&
         q.stride(2) < kMax && k.stride(2) < kMax && v.stride(2) < kMax &&
         q.size(2) * k.size(2) < kMax;
}

Tensor FusedAttention(const Tensor& q, const Tensor& k, const Tensor& v, bool causal,
                      const Tensor& pad_mask, Tensor* probs) {
  TORCH_CHECK(FusedAttentionSupports(q, k, v), "FusedAttention: unsupported inputs");
  TORCH_CHECK(k.sizes() == v.sizes() && q.size(0) == k.size(0) && q.size(1) == k.size(1) &&
                  q.size(3) == k.size(3),
              "FusedAttention: q [B, h, Tq, dk], k and v [B, h, Tk, dk]");
  TORCH_CHECK(!causal || q.size(2) == k.size(2), "FusedAttention: causal needs Tq == Tk");
  const bool has_pad = pad_mask.defined();
  if (has_pad) {
    TORCH_CHECK(pad_mask.dim() == 2 && pad_mask.size(0) == q.size(0) &&
                    pad_mask.size(1) == k.size(2) && pad_mask.scalar_type() == torch::kBool,
                "FusedAttention: pad_mask [B, Tk] bool");
  }
  const Tensor mask = has_pad ? pad_mask : torch::empty({0}, torch::kBool);
  variable_list r = FusedAttentionFunction::apply(q, k, v, mask, causal, has_pad);
  if (probs) *probs = r[1];
  return r[0];
}

}  // namespace tandem::model
