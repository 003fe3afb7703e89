#include "model/loss.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "model/seq2seq.h"

namespace tandem::model {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Sum over rows i with y_i != pad of (1 - eps) * -log p_{i,y_i} + (eps / V) * sum_k -log p_ik.
// Same value as aten::cross_entropy_loss(label_smoothing = eps, ignore_index = pad, sum), but
// with a hand-written backward, d/dz_ik = g * (p_ik - eps / V - (1 - eps) [k == y_i]) on kept
// rows, computed in place in the saved log-probabilities: three passes over the [N, V] array
// instead of about ten (the output layer is the largest tensor of a step: 61 MB for R1).
// Supports one backward per forward (the saved buffer is consumed; a second backward fails
// LibTorch's saved-variable version check instead of returning garbage).
class SmoothedCrossEntropy : public torch::autograd::Function<SmoothedCrossEntropy> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& z, const at::Tensor& y,
                            double eps, int64_t pad) {
    const int64_t V = z.size(1);
    at::Tensor logp = at::log_softmax(z, 1);
    at::Tensor keep = y.ne(pad);                      // [N]
    at::Tensor y_safe = y.masked_fill(keep.logical_not(), 0);
    at::Tensor nll = logp.gather(1, y_safe.unsqueeze(1)).squeeze(1).neg();  // [N]
    at::Tensor smooth = logp.sum(1).neg();                                  // [N]
    at::Tensor per = at::add(nll.mul(1.0 - eps), smooth, eps / static_cast<double>(V));
    per.masked_fill_(keep.logical_not(), 0.0);
    ctx->save_for_backward({logp, y_safe, keep});
    ctx->saved_data["eps"] = eps;
    return per.sum();
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_output) {
    const double eps = ctx->saved_data["eps"].toDouble();
    auto saved = ctx->get_saved_variables();
    at::Tensor grad = saved[0];  // log p, reused in place: becomes the gradient
    const at::Tensor& y = saved[1];
    const at::Tensor& keep = saved[2];
    const int64_t V = grad.size(1);
    grad.exp_().sub_(eps / static_cast<double>(V));
    grad.scatter_add_(1, y.unsqueeze(1),
                      at::full({y.size(0), 1}, -(1.0 - eps), grad.options()));
    // Row scale: the incoming gradient on kept rows, zero on padding.
    grad.mul_(keep.to(grad.scalar_type()).mul_(grad_output[0]).unsqueeze(1));
    return {grad, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

// LabelSmoothedLoss(x W^T + b) without the [N, V] logits (loss.h, FusedOutputLoss). The
// forward goes over row chunks of x: z = x_c W^T + b, log p = log_softmax(z), the chunk's
// losses, and (when the caller wants gradients) at once the chunk's gradient of z,
// g = p - eps / V - (1 - eps) onehot(y) (zero on pad rows), from which d x_c = g W,
// d W += g^T x_c, d b += sum_rows g. Only those three are saved; backward scales them by the
// incoming gradient (the loss is linear in nothing else). `b` is a [0] placeholder when
// has_bias is false (LibTorch's custom functions take no undefined tensor inputs).
class FusedOutputCrossEntropy : public torch::autograd::Function<FusedOutputCrossEntropy> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w,
                            const at::Tensor& b, const at::Tensor& y, double eps, int64_t pad,
                            int64_t chunk, bool has_bias, bool want_gx, bool want_gw,
                            bool want_gb) {
    const int64_t N = x.size(0), P = x.size(1), V = w.size(0);
    const bool want_grad = want_gx || want_gw || want_gb;
    const double smooth_weight = eps / static_cast<double>(V);
    at::Tensor keep = y.ne(pad);  // [N]
    at::Tensor y_safe = y.masked_fill(keep.logical_not(), 0).unsqueeze(1);  // [N, 1]
    at::Tensor per = at::zeros({N}, x.options());  // per-row losses, zero on pad rows
    at::Tensor gx, gw, gb;
    if (want_gx) gx = at::empty({N, P}, x.options());
    if (want_gw) gw = at::empty({V, P}, w.options());
    if (want_gb) gb = at::empty({V}, b.options());
    bool w_b_started = false;  // gw, gb hold a first chunk's sum (else they are still garbage)
    // One [chunk, V] buffer for the whole call: logits, then log p, then g, in place.
    at::Tensor buffer = at::empty({std::min(chunk, N), V}, x.options());
    const at::Tensor wt = w.t();  // [P, V], a view: BLAS reads W transposed
    at::Tensor gold;              // -(1 - eps) at the gold class, scatter-added into g
    for (int64_t r0 = 0; r0 < N; r0 += chunk) {
      const int64_t n = std::min(chunk, N - r0);
      const at::Tensor keep_c = keep.narrow(0, r0, n);
      const int64_t kept = keep_c.sum().item<int64_t>();
      if (kept == 0) {  // all padding: no loss, zero gradient
        if (want_gx) gx.narrow(0, r0, n).zero_();
        continue;
      }
      const at::Tensor x_c = x.narrow(0, r0, n);
      const at::Tensor y_c = y_safe.narrow(0, r0, n);
      at::Tensor z = buffer.narrow(0, 0, n);  // [n, V], contiguous
      if (has_bias) {
        at::addmm_out(z, b, x_c, wt);
      } else {
        at::mm_out(z, x_c, wt);
      }
      // In place: the row-wise kernel reads a row's max and sum before writing it (checked
      // against LabelSmoothedLoss by the tests).
      at::Tensor logp = at::_log_softmax_out(z, z, 1, /*half_to_float=*/false);
      // l = -(1 - eps) log p_y - (eps / V) sum_k log p_k
      at::Tensor per_c = per.narrow(0, r0, n);
      at::add_out(per_c, logp.gather(1, y_c).squeeze(1).mul_(-(1.0 - eps)), logp.sum(1),
                  -smooth_weight);
      const bool has_pad = kept < n;
      at::Tensor pad_rows;
      if (has_pad) {
        pad_rows = keep_c.logical_not();
        per_c.masked_fill_(pad_rows, 0.0);
      }
      if (!want_grad) continue;
      at::Tensor g = logp.exp_();  // p, in place
      if (eps > 0) g.sub_(smooth_weight);
      if (!gold.defined() || gold.size(0) != n) gold = at::full({n, 1}, -(1.0 - eps), g.options());
      g.scatter_add_(1, y_c, gold);
      if (has_pad) g.masked_fill_(pad_rows.unsqueeze(1), 0.0);
      if (want_gx) {
        at::Tensor gx_c = gx.narrow(0, r0, n);  // contiguous rows
        at::mm_out(gx_c, g, w);
      }
      if (w_b_started) {
        if (want_gw) gw.addmm_(g.t(), x_c);
        if (want_gb) gb.add_(g.sum(0));
      } else {
        if (want_gw) at::mm_out(gw, g.t(), x_c);
        if (want_gb) at::sum_out(gb, g, at::IntArrayRef{0});
        w_b_started = true;
      }
    }
    if (!w_b_started) {  // every row was padding
      if (want_gw) gw.zero_();
      if (want_gb) gb.zero_();
    }
    ctx->save_for_backward({gx, gw, gb});
    return per.sum();
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad_output) {
    auto saved = ctx->get_saved_variables();
    const at::Tensor& go = grad_output[0];
    // The usual case, loss.backward(): the gradient is 1 and the saved tensors are the result.
    const bool unit = !go.requires_grad() && go.item<double>() == 1.0;
    auto scaled = [&](const at::Tensor& g) {
      if (!g.defined() || unit) return g;
      return g * go;
    };
    return {scaled(saved[0]), scaled(saved[1]), scaled(saved[2]), at::Tensor(), at::Tensor(),
            at::Tensor(),     at::Tensor(),     at::Tensor(),     at::Tensor(), at::Tensor(),
            at::Tensor()};
  }
};

absl::Status CheckEpsilon(double epsilon) {
  if (!(epsilon >= 0.0 && epsilon < 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("label smoothing epsilon must be in [0, 1), got ", epsilon));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LossSum> FusedOutputLoss(const at::Tensor& features, const at::Tensor& weight,
                                        const at::Tensor& bias, const at::Tensor& targets,
                                        double epsilon, int64_t pad_id, int64_t chunk_rows) {
  if (absl::Status s = CheckEpsilon(epsilon); !s.ok()) return s;
  if (!features.defined() || !weight.defined() || !targets.defined() || features.dim() < 1 ||
      weight.dim() != 2 || weight.size(1) != features.size(-1) || weight.size(0) == 0 ||
      (features.size(-1) > 0 && features.numel() / features.size(-1) != targets.numel()) ||
      (bias.defined() && (bias.dim() != 1 || bias.size(0) != weight.size(0)))) {
    return absl::InvalidArgumentError(
        "FusedOutputLoss: features must be [..., P], weight [V, P], bias [V] or none, "
        "targets [...] (one per feature row)");
  }
  try {
    const int64_t V = weight.size(0), P = weight.size(1);
    at::Tensor x = features.reshape({-1, P});  // a view for contiguous features
    at::Tensor y = targets.reshape({-1});
    at::Tensor keep = y.ne(pad_id);
    if (keep.logical_and(y.lt(0).logical_or(y.ge(V))).any().item<bool>()) {
      return absl::InvalidArgumentError(
          absl::StrCat("FusedOutputLoss: a target id is outside [0, ", V, ")"));
    }
    const bool grad = at::GradMode::is_enabled();
    const bool has_bias = bias.defined();
    at::Tensor b = has_bias ? bias : at::empty({0}, weight.options());
    LossSum out;
    out.sum = FusedOutputCrossEntropy::apply(
        x, weight, b, y, epsilon, pad_id, chunk_rows > 0 ? chunk_rows : kFusedLossChunkRows,
        has_bias, grad && x.requires_grad(), grad && weight.requires_grad(),
        grad && has_bias && bias.requires_grad());
    out.tokens = keep.sum().item<int64_t>();
    return out;
  } catch (const std::exception& e) {
    return TorchError("FusedOutputLoss", e);
  }
}

absl::StatusOr<LossSum> LabelSmoothedLoss(const at::Tensor& logits, const at::Tensor& targets,
                                          double epsilon, int64_t pad_id) {
  if (absl::Status s = CheckEpsilon(epsilon); !s.ok()) return s;
  if (!logits.defined() || !targets.defined() || logits.dim() != targets.dim() + 1 ||
      logits.numel() / logits.size(-1) != targets.numel()) {
    return absl::InvalidArgumentError("LabelSmoothedLoss: logits must be [..., V], targets [...]");
  }
  try {
    const int64_t V = logits.size(-1);
    at::Tensor z = logits.reshape({-1, V});  // a view for contiguous logits
    at::Tensor y = targets.reshape({-1});
    LossSum out;
    out.sum = SmoothedCrossEntropy::apply(z, y, epsilon, pad_id);
    out.tokens = y.ne(pad_id).sum().item<int64_t>();
    return out;
  } catch (const std::exception& e) {
    return TorchError("LabelSmoothedLoss", e);
  }
}

}  // namespace tandem::model
