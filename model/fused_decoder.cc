#include "model/fused_decoder.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <algorithm>
#include <atomic>
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

// Two builds of the loops: generic x86-64, and AVX2 + FMA for the CPUs that have them (GCC
// applies the target to the functions defined between push and pop).
namespace generic {
#include "model/fused_decoder_kernels.inc"
}  // namespace generic
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
#include "model/fused_decoder_kernels.inc"
}  // namespace avx2
#pragma GCC pop_options

std::atomic<bool> g_generic_only{false};  // UseGenericFusedLoops

bool CpuHasAvx2Fma() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes && !g_generic_only.load(std::memory_order_relaxed);
}

// The row loops of one build for one scalar type.
template <typename T>
struct Kernels {
  decltype(&generic::EnergiesForwardRows<T>) energies_forward;
  decltype(&generic::SoftmaxContextForwardRows<T>) softmax_context_forward;
  decltype(&generic::GruForwardRows<T>) gru_forward;
  decltype(&generic::GruBackwardRows<T>) gru_backward;
  decltype(&generic::SoftmaxContextBackwardRows<T>) softmax_context_backward;
  decltype(&generic::EnergiesBackwardRows<T>) energies_backward;
};

#define TANDEM_KERNELS(ns, T)                                                                     \
  Kernels<T> {                                                                                    \
    &ns::EnergiesForwardRows<T>, &ns::SoftmaxContextForwardRows<T>, &ns::GruForwardRows<T>,       \
        &ns::GruBackwardRows<T>, &ns::SoftmaxContextBackwardRows<T>, &ns::EnergiesBackwardRows<T> \
  }

template <typename T>
Kernels<T> SelectKernels() {
  if constexpr (std::is_same_v<T, float>) {
    if (CpuHasAvx2Fma()) return TANDEM_KERNELS(avx2, float);
  }
  return TANDEM_KERNELS(generic, T);
}
#undef TANDEM_KERNELS

// Runs fn(b0, b1) over row ranges of a batch of B rows on LibTorch's intra-op threads.
template <typename F>
void ForRows(int64_t B, const F& fn) {
  at::parallel_for(0, B, 1, fn);
}

class BahdanauGru : public torch::autograd::Function<BahdanauGru> {
 public:
  static variable_list forward(AutogradContext* ctx, const Tensor& gi_w_in, const Tensor& s0_in,
                               const Tensor& keys_in, const Tensor& ann_in, const Tensor& mask_in,
                               const Tensor& w_q, const Tensor& w_hh, const Tensor& b_hh,
                               const Tensor& v_in, const Tensor& w_ic_in) {
    const Tensor gi_w = gi_w_in.contiguous(), s0 = s0_in.contiguous(), keys = keys_in.contiguous(),
                 ann = ann_in.contiguous(), v = v_in.contiguous(), w_ic = w_ic_in.contiguous();
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
    // q_t per step: backward recomputes tanh(q_t + k_j) from it.
    Tensor qs = at::empty({T, B, att}, opts);
    Tensor qh = at::empty({B, att + G3}, opts), e = at::empty({B, S}, opts),
           gi = at::empty({B, G3}, opts);
    const bool* m = mask.defined() ? mask.data_ptr<bool>() : nullptr;
    AT_DISPATCH_FLOATING_TYPES(gi_w.scalar_type(), "BahdanauGruDecode", [&] {
      using T_ = scalar_t;
      const Kernels<T_> k = SelectKernels<T_>();
      for (int64_t t = 0; t < T; ++t) {
        const Tensor s_prev = t == 0 ? s0 : states[t - 1];
        at::addmm_out(qh, b_qh, s_prev, w_qh.t());
        qs[t].copy_(qh.narrow(1, 0, att));
        ForRows(B, [&](int64_t b0, int64_t b1) {
          k.energies_forward(b0, b1, S, att, keys.data_ptr<T_>(), qh.data_ptr<T_>(), att + G3,
                             v.data_ptr<T_>(), m, e.data_ptr<T_>());
        });
        Tensor c = contexts[t];
        ForRows(B, [&](int64_t b0, int64_t b1) {
          k.softmax_context_forward(b0, b1, S, A, e.data_ptr<T_>(), ann.data_ptr<T_>(),
                                    weights[t].data_ptr<T_>(), c.data_ptr<T_>());
        });
        at::addmm_out(gi, gi_w[t], c, w_ic.t());
        ForRows(B, [&](int64_t b0, int64_t b1) {
          k.gru_forward(b0, b1, D, gi.data_ptr<T_>(), qh.data_ptr<T_>() + att, att + G3,
                        s_prev.data_ptr<T_>(), states[t].data_ptr<T_>(), gates[t].data_ptr<T_>());
        });
      }
    });
    ctx->save_for_backward({s0, keys, ann, w_qh, w_ic, v, states, contexts, weights, gates, qs});
    ctx->mark_non_differentiable({weights});
    return {states, contexts, weights};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    // Padding needs no mask here: it has zero weight, hence zero gradient.
    const Tensor &s0 = saved[0], &keys = saved[1], &ann = saved[2], &w_qh = saved[3],
                 &w_ic = saved[4], &v = saved[5], &states = saved[6], &contexts = saved[7],
                 &weights = saved[8], &gates = saved[9], &qs = saved[10];
    const Tensor dS = grads[0].defined() ? grads[0].contiguous() : Tensor();
    const Tensor dC = grads[1].defined() ? grads[1].contiguous() : Tensor();
    const int64_t T = states.size(0), B = states.size(1), D = states.size(2), S = keys.size(1),
                  att = keys.size(2), A = ann.size(2), G3 = 3 * D;
    const auto opts = states.options();
    Tensor dgi_w = at::empty({T, B, G3}, opts), dqh = at::empty({T, B, att + G3}, opts),
           dK = at::zeros_like(keys), dH = at::zeros_like(ann), dvb = at::zeros({B, att}, opts),
           ds = at::zeros({B, D}, opts), ds_z = at::empty({B, D}, opts),
           dc = at::empty({B, A}, opts), de = at::empty({B, S}, opts);
    AT_DISPATCH_FLOATING_TYPES(states.scalar_type(), "BahdanauGruDecodeBackward", [&] {
      using T_ = scalar_t;
      const Kernels<T_> k = SelectKernels<T_>();
      for (int64_t t = T - 1; t >= 0; --t) {
        if (dS.defined()) ds.add_(dS[t]);  // ds: dL/ds_t
        const Tensor s_prev = t == 0 ? s0 : states[t - 1];
        Tensor dgi = dgi_w[t], dqh_t = dqh[t];
        ForRows(B, [&](int64_t b0, int64_t b1) {
          k.gru_backward(b0, b1, D, ds.data_ptr<T_>(), gates[t].data_ptr<T_>(),
                         s_prev.data_ptr<T_>(), dgi.data_ptr<T_>(), dqh_t.data_ptr<T_>() + att,
                         att + G3, ds_z.data_ptr<T_>());
        });
        if (dC.defined()) {
          at::addmm_out(dc, dC[t], dgi, w_ic);
        } else {
          at::mm_out(dc, dgi, w_ic);
        }
        ForRows(B, [&](int64_t b0, int64_t b1) {
          k.softmax_context_backward(b0, b1, S, A, dc.data_ptr<T_>(), ann.data_ptr<T_>(),
                                     weights[t].data_ptr<T_>(), dH.data_ptr<T_>(),
                                     de.data_ptr<T_>());
        });
        ForRows(B, [&](int64_t b0, int64_t b1) {
          std::vector<T_> scratch(att);
          k.energies_backward(b0, b1, S, att, de.data_ptr<T_>(), keys.data_ptr<T_>(),
                              qs[t].data_ptr<T_>(), att, v.data_ptr<T_>(), dK.data_ptr<T_>(),
                              dqh_t.data_ptr<T_>(), att + G3, dvb.data_ptr<T_>(), scratch.data());
        });
        at::addmm_out(ds, ds_z, dqh_t, w_qh);  // dL/ds_{t-1}
      }
    });
    // Weight gradients of all steps at once: sum_t dqh_t^T s_{t-1}, sum_t dgi_t^T c_t.
    Tensor dw_qh = at::mm(dqh.narrow(0, 1, T - 1).reshape({-1, att + G3}).t(),
                          states.narrow(0, 0, T - 1).reshape({-1, D}));
    dw_qh.addmm_(dqh[0].t(), s0);
    Tensor db_hh = dqh.narrow(2, att, G3).reshape({T * B, G3}).sum(0);
    Tensor dw_ic = at::mm(dgi_w.reshape({T * B, G3}).t(), contexts.reshape({T * B, A}));
    return {dgi_w,
            ds,
            dK,
            dH,
            /*mask*/ Tensor(),
            dw_qh.narrow(0, 0, att),
            dw_qh.narrow(0, att, G3),
            db_hh,
            dvb.sum(0),
            dw_ic};
  }
};

}  // namespace

void UseGenericFusedLoops(bool on) { g_generic_only.store(on, std::memory_order_relaxed); }

void FastTanh(const float* x, float* y, int64_t n) {
  if (CpuHasAvx2Fma()) {
    avx2::TanhArray(x, y, n);
  } else {
    generic::TanhArray(x, y, n);
  }
}

FusedDecoderOutput BahdanauGruDecode(const Tensor& gi_w, const Tensor& s0, const Tensor& keys,
                                     const Tensor& annotations, const Tensor& pad_mask,
                                     const Tensor& w_q, const Tensor& w_hh, const Tensor& b_hh,
                                     const Tensor& v, const Tensor& w_ic) {
  const Tensor mask =
      pad_mask.defined() ? pad_mask : at::empty({0}, keys.options().dtype(at::kBool));
  variable_list out =
      BahdanauGru::apply(gi_w, s0, keys, annotations, mask, w_q, w_hh, b_hh, v, w_ic);
  return {out[0], out[1], out[2]};
}

Tensor AdditiveAttentionStep(const Tensor& keys, const Tensor& q, const Tensor& v,
                             const Tensor& pad_mask, const Tensor& annotations, Tensor* weights) {
  const int64_t B = keys.size(0), S = keys.size(1), att = keys.size(2), A = annotations.size(2);
  const auto fine = [](const Tensor& t) {
    return t.scalar_type() == at::kFloat && t.is_contiguous();
  };
  TORCH_CHECK(keys.dim() == 3 && annotations.dim() == 3 && annotations.size(0) == B &&
                  annotations.size(1) == S && q.numel() == B * att && v.numel() == att &&
                  (!pad_mask.defined() || (pad_mask.numel() == B * S &&
                                           pad_mask.scalar_type() == at::kBool &&
                                           pad_mask.is_contiguous())) &&
                  fine(keys) && fine(q) && fine(v) && fine(annotations),
              "AdditiveAttentionStep: float32 contiguous keys [B, S, att], q [B, att], v [att], "
              "annotations [B, S, A] and a bool pad_mask [B, S]");
  Tensor e = at::empty({B, S}, keys.options()), a = at::empty({B, S}, keys.options()),
         c = at::empty({B, A}, keys.options());
  const bool* m = pad_mask.defined() ? pad_mask.data_ptr<bool>() : nullptr;
  const Kernels<float> k = SelectKernels<float>();
  ForRows(B, [&](int64_t b0, int64_t b1) {
    k.energies_forward(b0, b1, S, att, keys.data_ptr<float>(), q.data_ptr<float>(), att,
                       v.data_ptr<float>(), m, e.data_ptr<float>());
    k.softmax_context_forward(b0, b1, S, A, e.data_ptr<float>(), annotations.data_ptr<float>(),
                              a.data_ptr<float>(), c.data_ptr<float>());
  });
  if (weights) *weights = a;
  return c;
}

}  // namespace tandem::model
