#include "model/loss.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

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

}  // namespace

absl::StatusOr<LossSum> LabelSmoothedLoss(const at::Tensor& logits, const at::Tensor& targets,
                                          double epsilon, int64_t pad_id) {
  if (!(epsilon >= 0.0 && epsilon < 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("label smoothing epsilon must be in [0, 1), got ", epsilon));
  }
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
