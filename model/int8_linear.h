// x W^T + b with W in int8, for decoding (TranslateRequest.int8): the weights quantized once
// per row (symmetric, scale max|w_v| / 127), the input quantized per call to uint8 over the
// whole [M, K] input (dynamic quantization), the product summed in int32 and scaled back to
// float32 with the bias added. The kernel is LibTorch's quantized::linear_dynamic on its
// oneDNN engine (VNNI where the CPU has it): 3-7x float32's GEMM per call from 17 rows on,
// and on the 512 x 8,000 output layer from one row on; for small matrices at a few rows its
// per-call overhead outweighs that (BENCHMARKS.md, issue [12]). Its error is a rounding of each weight
// to 8 bits and each input to 8 bits of the input's range (7 on CPUs without VNNI, where 8
// could saturate), about 1 % of the largest output.
//
// Because the input's scale is taken over all M rows, a row's result depends, within that
// rounding, on the rows beside it.
#ifndef TANDEM_MODEL_INT8_LINEAR_H_
#define TANDEM_MODEL_INT8_LINEAR_H_

#include <torch/types.h>

#include <ATen/native/quantized/PackedParams.h>

#include "absl/status/statusor.h"

namespace tandem::model {

class Int8Linear {
 public:
  // Whether this LibTorch build has the oneDNN int8 kernel (Debian's does on x86-64).
  static bool Available();

  // Quantizes and packs `weight` [V, K] (float32) and keeps `bias` [V] (float32, may be
  // undefined: none). The first call switches LibTorch's quantized engine to oneDNN for the
  // whole process (nothing else in Tandem uses a quantized engine). Unavailable where
  // Available() is false; InvalidArgument for other shapes or types.
  static absl::StatusOr<Int8Linear> Create(const torch::Tensor& weight, const torch::Tensor& bias);

  // [M, K] float32 -> [M, V] float32, without gradients. Thread-safe: the packed weights are
  // only read.
  torch::Tensor Forward(const torch::Tensor& x) const;

  int64_t in_features() const { return in_; }
  int64_t out_features() const { return out_; }

 private:
  Int8Linear() = default;
  c10::intrusive_ptr<LinearPackedParamsBase> packed_;
  int64_t in_ = 0, out_ = 0;
};

}  // namespace tandem::model

#endif  // TANDEM_MODEL_INT8_LINEAR_H_
