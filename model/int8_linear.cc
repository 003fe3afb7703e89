#include "model/int8_linear.h"

#include <cpuid.h>
#include <omp.h>

#include <algorithm>
#include <mutex>

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/utils.h>

#include "absl/strings/str_cat.h"
#include "model/seq2seq.h"  // TorchError

namespace tandem::model {
namespace {

bool HasOnednn() {
  const auto& engines = at::globalContext().supportedQEngines();
  return std::find(engines.begin(), engines.end(), at::QEngine::ONEDNN) != engines.end();
}

// Without VNNI, x86's int8 product instruction (vpmaddubsw) adds two u8 x s8 products into
// a saturating int16: full 8-bit inputs could overflow it, so the inputs keep 7 bits there
// (what LibTorch calls reduce_range). With VNNI the sums are int32 and all 8 bits are used.
// AVX-VNNI (the 256-bit form) is CPUID leaf 7, sub-leaf 1, EAX bit 4; read directly because
// clang's __builtin_cpu_supports has no name for it.
bool ReduceRange() {
  static const bool reduce = [] {
    unsigned a = 0, b = 0, c = 0, d = 0;
    const bool avx_vnni = __get_cpuid_count(7, 1, &a, &b, &c, &d) != 0 && (a & (1u << 4)) != 0;
    return !(__builtin_cpu_supports("avx512vnni") || avx_vnni);
  }();
  return reduce;
}

}  // namespace

bool Int8Linear::Available() {
  static const bool available = [] {
    if (!HasOnednn()) return false;
    // The op is registered only where the kernel was built.
    return c10::Dispatcher::singleton().findSchema({"quantized::linear_dynamic", ""}).has_value();
  }();
  return available;
}

absl::StatusOr<Int8Linear> Int8Linear::Create(const torch::Tensor& weight,
                                              const torch::Tensor& bias) {
  if (!Available()) {
    return absl::UnavailableError(
        "int8 decoding: this LibTorch build has no oneDNN int8 kernel "
        "(quantized::linear_dynamic on the onednn engine)");
  }
  if (!weight.defined() || weight.dim() != 2 || weight.scalar_type() != torch::kFloat ||
      weight.size(0) == 0 || weight.size(1) == 0) {
    return absl::InvalidArgumentError("Int8Linear: weight must be a non-empty float32 [V, K]");
  }
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != weight.size(0) ||
                         bias.scalar_type() != torch::kFloat)) {
    return absl::InvalidArgumentError("Int8Linear: bias must be float32 [V]");
  }
  static std::once_flag engine_once;
  std::call_once(engine_once, [] { at::globalContext().setQEngine(at::QEngine::ONEDNN); });
  try {
    torch::NoGradGuard no_grad;
    const torch::Tensor w = weight.detach().contiguous();
    // Per row, symmetric: zero point 0, scale max|w_v| / 127 (an all-zero row gets scale 1,
    // so that it stays zero rather than dividing by 0).
    torch::Tensor scale = w.abs().amax(1).div(127.0).to(torch::kDouble);
    scale = torch::where(scale > 0, scale, torch::ones_like(scale));
    const torch::Tensor zero = torch::zeros({w.size(0)}, torch::kLong);
    const torch::Tensor wq = at::quantize_per_channel(w, scale, zero, 0, torch::kQInt8);
    static const auto prepack =
        c10::Dispatcher::singleton()
            .findSchemaOrThrow("quantized::linear_prepack", "")
            .typed<c10::intrusive_ptr<LinearPackedParamsBase>(at::Tensor,
                                                              c10::optional<at::Tensor>)>();
    Int8Linear out;
    out.packed_ = prepack.call(
        wq, bias.defined() ? c10::optional<at::Tensor>(bias.detach().contiguous())
                           : c10::nullopt);
    out.in_ = w.size(1);
    out.out_ = w.size(0);
    return out;
  } catch (const std::exception& e) {
    return TorchError("Int8Linear::Create", e);
  }
}

torch::Tensor Int8Linear::Forward(const torch::Tensor& x) const {
  torch::NoGradGuard no_grad;
  // On the calling thread alone: oneDNN splits even a 17-row product over every OpenMP
  // thread, and where another process holds a core each call then waits for a descheduled
  // thread, 20-40 ms instead of 1 (BENCHMARKS.md, issue [12]); one thread of int8 is still
  // 2-4x two threads of float32 here. omp_set_num_threads changes this thread's setting only.
  struct OneThread {
    const int before = omp_get_max_threads();
    OneThread() { omp_set_num_threads(1); }
    ~OneThread() { omp_set_num_threads(before); }
  } one_thread;
  return packed_->apply_dynamic(x.contiguous(), ReduceRange());
}

}  // namespace tandem::model
