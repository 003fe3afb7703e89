#include "model/fused_decoder.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

namespace tandem::model {
namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// tanh(x) = sign(x) * -m / (2 + m) with m = expm1(-2|x|), so small |x| keep their relative
// precision. expm1(u), u in [-18, 0]: u = k ln2 + r (|r| <= ln2 / 2, Cody-Waite split of ln2),
// expm1(u) = 2^k expm1(r) + (2^k - 1), expm1(r) by its Taylor series to r^7 (the rest is below
// 2e-8 relative). |x| >= 9 gives +-1 (tanh(9) rounds to 1 in float). Branch-free arithmetic
// only, so that GCC vectorises the loops that call it.
inline float TanhFloat(float x) {
  const float ax = std::min(std::fabs(x), 9.0f);
  const float u = -2.0f * ax;
  const float kf = (u * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round(u / ln2)
  const float r = (u - kf * 0.693145751953125f) - kf * 1.42860682030941723e-6f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  const float em1_r = r + r * r * p;
  const int32_t bits = (static_cast<int32_t>(kf) + 127) << 23;  // 2^k, k in [-26, 0]
  float two_k;
  std::memcpy(&two_k, &bits, sizeof two_k);
  const float m = two_k * em1_r + (two_k - 1.0f);
  return std::copysign(-m / (2.0f + m), x);
}

inline float Tanh(float x) { return TanhFloat(x); }
inline double Tanh(double x) { return std::tanh(x); }
inline float Sigmoid(float x) { return 0.5f + 0.5f * TanhFloat(0.5f * x); }
inline double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Eight floats in GCC's vector extension: the float loops run their transcendental parts on
// these (GCC does not vectorise TanhFloat's loops by itself); double loops stay scalar.
typedef float V8 __attribute__((vector_size(32)));
typedef int32_t V8i __attribute__((vector_size(32)));
constexpr int64_t kLanes = 8;

inline V8 Load(const float* p) {
  V8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void Store(float* p, V8 v) { std::memcpy(p, &v, sizeof v); }
inline float Sum(V8 v) {
  float s = 0;
  for (int i = 0; i < kLanes; ++i) s += v[i];
  return s;
}

// TanhFloat, lane by lane (the same operations in the same order).
inline V8 TanhV(V8 x) {
  const V8i xi = reinterpret_cast<V8i&>(x);
  const V8i sign = xi & INT32_MIN;
  V8i abs_bits = xi & INT32_MAX;
  V8 ax = reinterpret_cast<V8&>(abs_bits);
  ax = ax > 9.0f ? V8{} + 9.0f : ax;  // keeps NaN
  const V8 u = -2.0f * ax;
  const V8 kf = (u * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const V8 r = (u - kf * 0.693145751953125f) - kf * 1.42860682030941723e-6f;
  V8 p = V8{} + 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  const V8 em1_r = r + r * r * p;
  V8i bits = (__builtin_convertvector(kf, V8i) + 127) << 23;
  const V8 two_k = reinterpret_cast<V8&>(bits);
  const V8 m = two_k * em1_r + (two_k - 1.0f);
  V8 t = -m / (2.0f + m);
  V8i out = (reinterpret_cast<V8i&>(t) & INT32_MAX) | sign;
  return reinterpret_cast<V8&>(out);
}
inline V8 SigmoidV(V8 x) { return 0.5f + 0.5f * TanhV(0.5f * x); }

// All loops below work on contiguous row-major arrays and split the batch across LibTorch's
// intra-op threads; every output element is written by one thread in a fixed order, so the
// results do not depend on the thread count.

// e[b, s] = v . tanh(q[b] + keys[b, s]) (or -inf at padding); the tanh row goes to `tt` when
// given (kept for backward).
template <typename T>
void EnergiesForward(int64_t B, int64_t S, int64_t att, const T* keys, const T* q,
                     int64_t q_stride, const T* v, const bool* mask, T* tt, T* e) {
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    std::vector<T> scratch(tt == nullptr ? att : 0);
    for (int64_t b = b0; b < b1; ++b) {
      const T* qb = q + b * q_stride;
      for (int64_t s = 0; s < S; ++s) {
        const int64_t idx = b * S + s;
        if (mask != nullptr && mask[idx]) {
          e[idx] = -std::numeric_limits<T>::infinity();
          continue;
        }
        const T* k = keys + idx * att;
        T* out = tt != nullptr ? tt + idx * att : scratch.data();
        T acc = 0;
        int64_t i = 0;
        if constexpr (std::is_same_v<T, float>) {
          V8 acc8{};
          for (; i + kLanes <= att; i += kLanes) {
            const V8 x = TanhV(Load(k + i) + Load(qb + i));
            Store(out + i, x);
            acc8 += x * Load(v + i);
          }
          acc = Sum(acc8);
        }
        for (; i < att; ++i) {
          const T x = Tanh(k[i] + qb[i]);
          out[i] = x;
          acc += x * v[i];
        }
        e[idx] = acc;
      }
    }
  });
}

// a[b] = softmax(e[b]) (exactly zero where e = -inf); c[b] = sum_s a[b, s] H[b, s].
template <typename T>
void SoftmaxContextForward(int64_t B, int64_t S, int64_t A, const T* e, const T* H, T* a,
                           T* c) {
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const T* eb = e + b * S;
      T* ab = a + b * S;
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t s = 0; s < S; ++s) m = std::max(m, eb[s]);
      T sum = 0;
      for (int64_t s = 0; s < S; ++s) {
        ab[s] = std::exp(eb[s] - m);
        sum += ab[s];
      }
      const T inv = T(1) / sum;
      T* cb = c + b * A;
      std::fill(cb, cb + A, T(0));
      for (int64_t s = 0; s < S; ++s) {
        ab[s] *= inv;
        const T w = ab[s];
        if (w == 0) continue;
        const T* h = H + (b * S + s) * A;
#pragma omp simd
        for (int64_t i = 0; i < A; ++i) cb[i] += w * h[i];
      }
    }
  });
}

// PyTorch's GRU cell from the two projections (gh includes b_hh):
//   r, z = sigmoid(gi_r + gh_r), sigmoid(gi_z + gh_z); n = tanh(gi_n + r gh_n);
//   h' = n + z (h - n). gates[b] = [r, z, n, gh_n] (what backward needs).
template <typename T>
void GruForward(int64_t B, int64_t D, const T* gi, const T* gh, int64_t gh_stride, const T* h,
                T* h_out, T* gates) {
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const T* x = gi + b * 3 * D;
      const T* y = gh + b * gh_stride;
      const T* hb = h + b * D;
      T* out = h_out + b * D;
      T* g = gates + b * 4 * D;
      int64_t j = 0;
      if constexpr (std::is_same_v<T, float>) {
        for (; j + kLanes <= D; j += kLanes) {
          const V8 r = SigmoidV(Load(x + j) + Load(y + j));
          const V8 z = SigmoidV(Load(x + D + j) + Load(y + D + j));
          const V8 ghn = Load(y + 2 * D + j);
          const V8 n = TanhV(Load(x + 2 * D + j) + r * ghn);
          Store(out + j, n + z * (Load(hb + j) - n));
          Store(g + j, r);
          Store(g + D + j, z);
          Store(g + 2 * D + j, n);
          Store(g + 3 * D + j, ghn);
        }
      }
      for (; j < D; ++j) {
        const T r = Sigmoid(x[j] + y[j]);
        const T z = Sigmoid(x[D + j] + y[D + j]);
        const T ghn = y[2 * D + j];
        const T n = Tanh(x[2 * D + j] + r * ghn);
        out[j] = n + z * (hb[j] - n);
        g[j] = r;
        g[D + j] = z;
        g[2 * D + j] = n;
        g[3 * D + j] = ghn;
      }
    }
  });
}

// Backward of GruForward for dL/dh' = ds: dgi, dgh (into a row of stride dgh_stride) and the
// direct part of dL/dh, ds z.
template <typename T>
void GruBackward(int64_t B, int64_t D, const T* ds, const T* gates, const T* h, T* dgi, T* dgh,
                 int64_t dgh_stride, T* dh) {
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const T* g = gates + b * 4 * D;
      const T* d = ds + b * D;
      const T* hb = h + b * D;
      T* gi = dgi + b * 3 * D;
      T* gh = dgh + b * dgh_stride;
      T* dhb = dh + b * D;
#pragma omp simd
      for (int64_t j = 0; j < D; ++j) {
        const T r = g[j], z = g[D + j], n = g[2 * D + j], ghn = g[3 * D + j];
        const T dn = d[j] * (T(1) - z);
        const T dz = d[j] * (hb[j] - n);
        const T dpn = dn * (T(1) - n * n);
        const T dpz = dz * z * (T(1) - z);
        const T dpr = dpn * ghn * r * (T(1) - r);
        dhb[j] = d[j] * z;
        gi[j] = dpr;
        gi[D + j] = dpz;
        gi[2 * D + j] = dpn;
        gh[j] = dpr;
        gh[D + j] = dpz;
        gh[2 * D + j] = dpn * r;
      }
    }
  });
}

// Backward of SoftmaxContextForward for dL/dc = dc: dH += a dc (accumulated over steps) and
// de = dL/de = a (da - sum_s a da) with da[s] = dc . H[b, s].
template <typename T>
void SoftmaxContextBackward(int64_t B, int64_t S, int64_t A, const T* dc, const T* H, const T* a,
                            T* dH, T* de) {
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const T* dcb = dc + b * A;
      const T* ab = a + b * S;
      T* deb = de + b * S;
      T dot = 0;
      for (int64_t s = 0; s < S; ++s) {
        const T w = ab[s];
        if (w == 0) {
          deb[s] = 0;
          continue;
        }
        const T* h = H + (b * S + s) * A;
        T* dh = dH + (b * S + s) * A;
        T da = 0;
#pragma omp simd reduction(+ : da)
        for (int64_t i = 0; i < A; ++i) {
          da += dcb[i] * h[i];
          dh[i] += w * dcb[i];
        }
        deb[s] = da;
        dot += w * da;
      }
      for (int64_t s = 0; s < S; ++s) deb[s] = ab[s] * (deb[s] - dot);
    }
  });
}

// Backward of EnergiesForward for dL/de = de: dK += g v (1 - t^2) (accumulated over steps),
// dq[b] = sum_s g v (1 - t^2) (a row of stride dq_stride), dvb[b] += sum_s g t. The tanh rows
// come from `tt`, or are recomputed from keys and q when tt is null.
template <typename T>
void EnergiesBackward(int64_t B, int64_t S, int64_t att, const T* de, const T* tt,
                      const T* keys, const T* q, int64_t q_stride, const T* v, T* dK, T* dq,
                      int64_t dq_stride, T* dvb) {
  at::parallel_for(0, B, 1, [&](int64_t b0, int64_t b1) {
    std::vector<T> scratch(tt == nullptr ? att : 0);
    for (int64_t b = b0; b < b1; ++b) {
      T* dqb = dq + b * dq_stride;
      T* dvr = dvb + b * att;
      std::fill(dqb, dqb + att, T(0));
      for (int64_t s = 0; s < S; ++s) {
        const int64_t idx = b * S + s;
        const T g = de[idx];
        if (g == 0) continue;  // padding, or no gradient
        const T* x = tt != nullptr ? tt + idx * att : scratch.data();
        if (tt == nullptr) {
          const T* k = keys + idx * att;
          const T* qb = q + b * q_stride;
          T* out = scratch.data();
          int64_t i = 0;
          if constexpr (std::is_same_v<T, float>) {
            for (; i + kLanes <= att; i += kLanes) Store(out + i, TanhV(Load(k + i) + Load(qb + i)));
          }
          for (; i < att; ++i) out[i] = Tanh(k[i] + qb[i]);
        }
        T* dk = dK + idx * att;
#pragma omp simd
        for (int64_t i = 0; i < att; ++i) {
          const T xi = x[i];
          const T dp = g * v[i] * (T(1) - xi * xi);
          dk[i] += dp;
          dqb[i] += dp;
          dvr[i] += g * xi;
        }
      }
    }
  });
}

class BahdanauGru : public torch::autograd::Function<BahdanauGru> {
 public:
  static variable_list forward(AutogradContext* ctx, const Tensor& gi_w_in, const Tensor& s0_in,
                               const Tensor& keys_in, const Tensor& ann_in,
                               const Tensor& mask_in, const Tensor& w_q, const Tensor& w_hh,
                               const Tensor& b_hh, const Tensor& v_in, const Tensor& w_ic_in,
                               bool recompute) {
    const Tensor gi_w = gi_w_in.contiguous(), s0 = s0_in.contiguous(),
                 keys = keys_in.contiguous(), ann = ann_in.contiguous(), v = v_in.contiguous(),
                 w_ic = w_ic_in.contiguous();
    // An empty mask: nothing is padded (autograd Functions take no undefined tensors).
    const Tensor mask = mask_in.numel() > 0 ? mask_in.to(at::kBool).contiguous() : Tensor();
    const int64_t T = gi_w.size(0), B = gi_w.size(1), G3 = gi_w.size(2), D = s0.size(1),
                  S = keys.size(1), att = keys.size(2), A = ann.size(2);
    TORCH_CHECK(G3 == 3 * D && w_hh.size(0) == G3 && w_q.size(0) == att && w_ic.size(1) == A &&
                    ann.size(1) == S && v.numel() == att,
                "BahdanauGruDecode: inconsistent shapes");
    const auto opts = gi_w.options();
    const Tensor w_qh = at::cat({w_q, w_hh}, 0);  // [att + 3D, D]
    const Tensor b_qh = at::cat({at::zeros({att}, b_hh.options()), b_hh});
    Tensor states = at::empty({T, B, D}, opts), contexts = at::empty({T, B, A}, opts),
           weights = at::empty({T, B, S}, opts), gates = at::empty({T, B, 4 * D}, opts);
    // Per step: the [B, S, att] tanh rows, or with `recompute` only q_t.
    Tensor kept = recompute ? at::empty({T, B, att}, opts) : at::empty({T, B, S, att}, opts);
    Tensor qh = at::empty({B, att + G3}, opts), e = at::empty({B, S}, opts),
           gi = at::empty({B, G3}, opts);
    const bool* m = mask.defined() ? mask.data_ptr<bool>() : nullptr;
    AT_DISPATCH_FLOATING_TYPES(gi_w.scalar_type(), "BahdanauGruDecode", [&] {
      using T_ = scalar_t;
      for (int64_t t = 0; t < T; ++t) {
        const Tensor s_prev = t == 0 ? s0 : states[t - 1];
        at::addmm_out(qh, b_qh, s_prev, w_qh.t());
        T_* tt = nullptr;
        if (recompute) {
          kept[t].copy_(qh.narrow(1, 0, att));
        } else {
          tt = kept[t].data_ptr<T_>();
        }
        EnergiesForward<T_>(B, S, att, keys.data_ptr<T_>(), qh.data_ptr<T_>(), att + G3,
                            v.data_ptr<T_>(), m, tt, e.data_ptr<T_>());
        Tensor c = contexts[t];
        SoftmaxContextForward<T_>(B, S, A, e.data_ptr<T_>(), ann.data_ptr<T_>(),
                                  weights[t].data_ptr<T_>(), c.data_ptr<T_>());
        at::addmm_out(gi, gi_w[t], c, w_ic.t());
        GruForward<T_>(B, D, gi.data_ptr<T_>(), qh.data_ptr<T_>() + att, att + G3,
                       s_prev.data_ptr<T_>(), states[t].data_ptr<T_>(),
                       gates[t].data_ptr<T_>());
      }
    });
    ctx->saved_data["recompute"] = recompute;
    ctx->save_for_backward(
        {s0, keys, ann, w_qh, w_ic, v, states, contexts, weights, gates, kept});
    ctx->mark_non_differentiable({weights});
    return {states, contexts, weights};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const bool recompute = ctx->saved_data["recompute"].toBool();
    const variable_list saved = ctx->get_saved_variables();
    // Padding needs no mask here: it has zero weight, hence zero gradient.
    const Tensor &s0 = saved[0], &keys = saved[1], &ann = saved[2], &w_qh = saved[3],
                 &w_ic = saved[4], &v = saved[5], &states = saved[6], &contexts = saved[7],
                 &weights = saved[8], &gates = saved[9], &kept = saved[10];
    const Tensor dS = grads[0].defined() ? grads[0].contiguous() : Tensor();
    const Tensor dC = grads[1].defined() ? grads[1].contiguous() : Tensor();
    const int64_t T = states.size(0), B = states.size(1), D = states.size(2),
                  S = keys.size(1), att = keys.size(2), A = ann.size(2), G3 = 3 * D;
    const auto opts = states.options();
    Tensor dgi_w = at::empty({T, B, G3}, opts), dqh = at::empty({T, B, att + G3}, opts),
           dK = at::zeros_like(keys), dH = at::zeros_like(ann), dvb = at::zeros({B, att}, opts),
           ds = at::zeros({B, D}, opts), ds_z = at::empty({B, D}, opts),
           dc = at::empty({B, A}, opts), de = at::empty({B, S}, opts);
    AT_DISPATCH_FLOATING_TYPES(states.scalar_type(), "BahdanauGruDecodeBackward", [&] {
      using T_ = scalar_t;
      for (int64_t t = T - 1; t >= 0; --t) {
        if (dS.defined()) ds.add_(dS[t]);  // ds: dL/ds_t
        const Tensor s_prev = t == 0 ? s0 : states[t - 1];
        Tensor dgi = dgi_w[t], dqh_t = dqh[t];
        GruBackward<T_>(B, D, ds.data_ptr<T_>(), gates[t].data_ptr<T_>(), s_prev.data_ptr<T_>(),
                        dgi.data_ptr<T_>(), dqh_t.data_ptr<T_>() + att, att + G3,
                        ds_z.data_ptr<T_>());
        if (dC.defined()) {
          at::addmm_out(dc, dC[t], dgi, w_ic);
        } else {
          at::mm_out(dc, dgi, w_ic);
        }
        SoftmaxContextBackward<T_>(B, S, A, dc.data_ptr<T_>(), ann.data_ptr<T_>(),
                                   weights[t].data_ptr<T_>(), dH.data_ptr<T_>(),
                                   de.data_ptr<T_>());
        const T_* tt = recompute ? nullptr : kept[t].data_ptr<T_>();
        const T_* q = recompute ? kept[t].data_ptr<T_>() : nullptr;
        EnergiesBackward<T_>(B, S, att, de.data_ptr<T_>(), tt, keys.data_ptr<T_>(), q, att,
                             v.data_ptr<T_>(), dK.data_ptr<T_>(), dqh_t.data_ptr<T_>(),
                             att + G3, dvb.data_ptr<T_>());
        at::addmm_out(ds, ds_z, dqh_t, w_qh);  // dL/ds_{t-1}
      }
    });
    // Weight gradients of all steps at once: sum_t dqh_t^T s_{t-1}, sum_t dgi_t^T c_t.
    Tensor dw_qh = at::mm(dqh.narrow(0, 1, T - 1).reshape({-1, att + G3}).t(),
                          states.narrow(0, 0, T - 1).reshape({-1, D}));
    dw_qh.addmm_(dqh[0].t(), s0);
    Tensor db_hh = dqh.narrow(2, att, G3).reshape({T * B, G3}).sum(0);
    Tensor dw_ic = at::mm(dgi_w.reshape({T * B, G3}).t(), contexts.reshape({T * B, A}));
    return {dgi_w, ds, dK, dH, Tensor(), dw_qh.narrow(0, 0, att), dw_qh.narrow(0, att, G3),
            db_hh, dvb.sum(0), dw_ic, Tensor()};
  }
};

}  // namespace

float FastTanh(float x) {
  const float vector = TanhV(V8{x, x, x, x, x, x, x, x})[0], scalar = TanhFloat(x);
  // The two forms are the same operations: a difference would mean a miscompiled lane.
  return vector == scalar || (std::isnan(vector) && std::isnan(scalar)) ? vector : NAN;
}

FusedDecoderOutput BahdanauGruDecode(const Tensor& gi_w, const Tensor& s0, const Tensor& keys,
                                     const Tensor& annotations, const Tensor& pad_mask,
                                     const Tensor& w_q, const Tensor& w_hh, const Tensor& b_hh,
                                     const Tensor& v, const Tensor& w_ic, bool recompute) {
  const Tensor mask = pad_mask.defined() ? pad_mask : at::empty({0}, keys.options().dtype(at::kBool));
  variable_list out =
      BahdanauGru::apply(gi_w, s0, keys, annotations, mask, w_q, w_hh, b_hh, v, w_ic, recompute);
  return {out[0], out[1], out[2]};
}

}  // namespace tandem::model
