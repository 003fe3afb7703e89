#include "model/flat_adam.h"

#include <cassert>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace tandem::model {

absl::Status ValidateAdam(const AdamConfig& c) {
  if (!(c.lr > 0) || !(c.beta1 >= 0 && c.beta1 < 1) || !(c.beta2 >= 0 && c.beta2 < 1) ||
      !(c.eps > 0) || !(c.weight_decay >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("adam: need lr > 0, betas in [0, 1), eps > 0, weight_decay >= 0; got lr ",
                     c.lr, " betas ", c.beta1, " ", c.beta2, " eps ", c.eps, " weight_decay ",
                     c.weight_decay));
  }
  return absl::OkStatus();
}

FlatAdam::FlatAdam(const std::vector<size_t>& sizes, const AdamConfig& config)
    : config_(config) {
  size_t total = 0;
  for (size_t s : sizes) {
    offsets_.push_back(total);
    total += s;
  }
  m_.assign(total, 0.0f);
  v_.assign(total, 0.0f);
}

namespace {

// The fused update of one parameter. Kept free of aliasing (restrict) and of calls so that the
// compiler vectorises it (sqrt and division without errno: -fno-math-errno on this file).
void AdamKernel(float* __restrict p, const float* __restrict g, float* __restrict m,
                float* __restrict v, size_t n, float scale, float b1, float b2, float wd,
                float step_size, float inv_sqrt_bc2, float eps) {
  const float one_minus_b1 = 1.0f - b1;
  const float one_minus_b2 = 1.0f - b2;
  for (size_t i = 0; i < n; ++i) {
    const float gi = g[i] * scale + wd * p[i];
    const float mi = m[i] * b1 + one_minus_b1 * gi;
    const float vi = v[i] * b2 + one_minus_b2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= step_size * mi / (std::sqrt(vi) * inv_sqrt_bc2 + eps);
  }
}

}  // namespace

void FlatAdam::Step(const std::vector<ParamSpan>& params, float grad_scale, double lr) {
  assert(params.size() == offsets_.size());
  ++steps_;
  const double t = static_cast<double>(steps_);
  const double bc1 = 1.0 - std::pow(config_.beta1, t);
  const double bc2 = 1.0 - std::pow(config_.beta2, t);
  const auto step_size = static_cast<float>(lr / bc1);
  const auto inv_sqrt_bc2 = static_cast<float>(1.0 / std::sqrt(bc2));
  for (size_t i = 0; i < params.size(); ++i) {
    const ParamSpan& s = params[i];
    AdamKernel(s.value, s.grad, m_.data() + offsets_[i], v_.data() + offsets_[i], s.size,
               grad_scale, static_cast<float>(config_.beta1), static_cast<float>(config_.beta2),
               static_cast<float>(config_.weight_decay), step_size, inv_sqrt_bc2,
               static_cast<float>(config_.eps));
  }
}

double SumOfSquares(const float* x, size_t n) {
  // Four independent accumulators: the loop is bound by the additions' latency otherwise.
  double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    a0 += double{x[i]} * x[i];
    a1 += double{x[i + 1]} * x[i + 1];
    a2 += double{x[i + 2]} * x[i + 2];
    a3 += double{x[i + 3]} * x[i + 3];
  }
  for (; i < n; ++i) a0 += double{x[i]} * x[i];
  return (a0 + a1) + (a2 + a3);
}

}  // namespace tandem::model
