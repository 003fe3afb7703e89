#include "model/transformer_ops.h"

#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <vector>

namespace tandem::model {

namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

bool FloatCpu(const Tensor& t) { return t.scalar_type() == torch::kFloat && t.device().is_cpu(); }

// b in every row of an [N, O] tensor, then += x2 w^T: what addmm(b, x2, w^T) computes (it
// too copies b into the result and calls gemm with beta 1), bit for bit.
Tensor AffineRows(const Tensor& x2, const Tensor& w, const Tensor& b) {
  const int64_t N = x2.size(0), O = w.size(0);
  Tensor z = torch::empty({N, O}, x2.options());
  const Tensor bc = b.contiguous();
  const float* bp = bc.data_ptr<float>();
  float* zp = z.data_ptr<float>();
  at::parallel_for(0, N, 64, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) std::memcpy(zp + r * O, bp, sizeof(float) * O);
  });
  z.addmm_(x2, w.t());
  return z;
}

// The gradients of addmm(b, x2, w^T) as AddmmBackward0 computes them for this layout.
struct AffineGrads {
  Tensor dx, dw, db;
};
AffineGrads AffineBackward(const Tensor& dz, const Tensor& x2, const Tensor& w) {
  return {at::mm(dz, w), at::mm(dz.t(), x2), dz.sum(0)};
}

class AffineFunction : public torch::autograd::Function<AffineFunction> {
 public:
  static Tensor forward(AutogradContext* ctx, const Tensor& x2, const Tensor& w, const Tensor& b) {
    ctx->save_for_backward({x2, w});
    return AffineRows(x2, w, b);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grad_output) {
    const auto saved = ctx->get_saved_variables();
    const AffineGrads g = AffineBackward(grad_output[0].contiguous(), saved[0], saved[1]);
    return {g.dx, g.dw, g.db};
  }
};

class NormLinearFunction : public torch::autograd::Function<NormLinearFunction> {
 public:
  // x2 [N, E] contiguous.
  static Tensor forward(AutogradContext* ctx, const Tensor& x2, const Tensor& ln_w,
                        const Tensor& ln_b, double eps, const Tensor& w, const Tensor& b) {
    const int64_t E = x2.size(1);
    Tensor y, mean, rstd;
    std::tie(y, mean, rstd) = at::native_layer_norm(x2, {E}, ln_w, ln_b, eps);
    Tensor z = AffineRows(y, w, b);  // as torch::linear computes it
    ctx->save_for_backward({x2, mean, rstd, ln_w, ln_b, w});
    ctx->saved_data["eps"] = eps;
    return z;
  }

  // The gradients autograd computes for native_layer_norm then addmm (AddmmBackward0's
  // formulas for this layout: dW = dz^T y, dy = dz W, db = column sums of dz).
  static variable_list backward(AutogradContext* ctx, variable_list grad_output) {
    const auto saved = ctx->get_saved_variables();
    const Tensor &x2 = saved[0], &mean = saved[1], &rstd = saved[2], &ln_w = saved[3],
                 &ln_b = saved[4], &w = saved[5];
    const double eps = ctx->saved_data["eps"].toDouble();
    const int64_t E = x2.size(1);
    const Tensor dz = grad_output[0].contiguous();
    const Tensor y = std::get<0>(at::native_layer_norm(x2, {E}, ln_w, ln_b, eps));
    const AffineGrads g = AffineBackward(dz, y, w);
    Tensor dx, dln_w, dln_b;
    std::tie(dx, dln_w, dln_b) = at::native_layer_norm_backward(g.dx, x2, {E}, mean, rstd, ln_w,
                                                                ln_b, {true, true, true});
    return {dx, dln_w, dln_b, Tensor(), g.dw, g.db};
  }
};

constexpr int64_t kGrain = 1 << 15;

// SplitMix64 (Steele, Lea and Flood 2014): output number j (from 0) of the sequence whose
// state starts at `seed`.
inline uint64_t SplitMix64(uint64_t seed, uint64_t j) {
  uint64_t z = seed + (j + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class ResidualDropoutFunction : public torch::autograd::Function<ResidualDropoutFunction> {
 public:
  static Tensor forward(AutogradContext* ctx, const Tensor& x, const Tensor& y,
                        const Tensor& mask, double keep) {
    const Tensor xc = x.contiguous(), yc = y.contiguous(), mc = mask.contiguous();
    Tensor out = torch::empty(x.sizes(), x.options());
    // The float mask's value: bernoulli's 1 divided by keep, in float as div_ computes it.
    const float scale = 1.0f / static_cast<float>(keep);
    const float* xp = xc.data_ptr<float>();
    const float* yp = yc.data_ptr<float>();
    const bool* mp = mc.data_ptr<bool>();
    float* op = out.data_ptr<float>();
    at::parallel_for(0, out.numel(), kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) op[i] = xp[i] + yp[i] * (mp[i] ? scale : 0.0f);
    });
    ctx->save_for_backward({mc});
    ctx->saved_data["scale"] = static_cast<double>(scale);
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_output) {
    const Tensor mask = ctx->get_saved_variables()[0];
    const float scale = static_cast<float>(ctx->saved_data["scale"].toDouble());
    const Tensor g = grad_output[0].contiguous();
    Tensor dy = torch::empty(g.sizes(), g.options());
    const float* gp = g.data_ptr<float>();
    const bool* mp = mask.data_ptr<bool>();
    float* dp = dy.data_ptr<float>();
    at::parallel_for(0, g.numel(), kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) dp[i] = gp[i] * (mp[i] ? scale : 0.0f);
    });
    return {grad_output[0], dy, Tensor(), Tensor()};
  }
};

}  // namespace

Tensor Affine(const Tensor& x, const Tensor& w, const Tensor& b) {
  const int64_t E = x.size(-1);
  if (!FloatCpu(x) || !FloatCpu(w) || !b.defined()) return torch::linear(x, w, b);
  std::vector<int64_t> out_sizes = x.sizes().vec();
  out_sizes.back() = w.size(0);
  const Tensor z = AffineFunction::apply(x.reshape({-1, E}).contiguous(), w, b);
  return x.dim() == 2 ? z : z.view(out_sizes);
}

Tensor NormLinear(const Tensor& x, const Tensor& ln_w, const Tensor& ln_b, double eps,
                  const Tensor& w, const Tensor& b) {
  const int64_t E = x.size(-1);
  if (!FloatCpu(x) || !FloatCpu(w) || !ln_w.defined() || !ln_b.defined() || !b.defined()) {
    return torch::linear(torch::layer_norm(x, {E}, ln_w, ln_b, eps), w, b);
  }
  std::vector<int64_t> out_sizes = x.sizes().vec();
  out_sizes.back() = w.size(0);
  const Tensor z = NormLinearFunction::apply(x.reshape({-1, E}).contiguous(), ln_w, ln_b, eps,
                                             w, b);
  return x.dim() == 2 ? z : z.view(out_sizes);  // 2-D: not a view (may be changed in place)
}

Tensor KeepMask(at::IntArrayRef sizes, double keep, uint64_t seed) {
  Tensor mask = torch::empty(sizes, torch::kBool);
  bool* m = mask.data_ptr<bool>();
  const int64_t n = mask.numel();
  const uint64_t threshold = static_cast<uint64_t>(std::ldexp(keep, 24));  // of 2^24
  at::parallel_for(0, (n + 1) / 2, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j) {
      const uint64_t r = SplitMix64(seed, static_cast<uint64_t>(j));
      m[2 * j] = ((r & 0xFFFFFFFFULL) >> 8) < threshold;
      if (2 * j + 1 < n) m[2 * j + 1] = (r >> 40) < threshold;
    }
  });
  return mask;
}

Tensor ResidualDropout(const Tensor& x, const Tensor& y, const Tensor& keep_mask, double keep) {
  if (!keep_mask.defined()) return x + y;
  TORCH_CHECK(x.sizes() == y.sizes() && keep_mask.sizes() == x.sizes() &&
                  keep_mask.scalar_type() == torch::kBool,
              "ResidualDropout: x, y and keep_mask need one shape (mask bool)");
  if (!FloatCpu(x) || !FloatCpu(y)) {
    return x + y * keep_mask.to(y.scalar_type()).div_(keep);
  }
  return ResidualDropoutFunction::apply(x, y, keep_mask, keep);
}

}  // namespace tandem::model
