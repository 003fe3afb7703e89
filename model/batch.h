// Batch: one padded mini-batch of sentence pairs as LibTorch tensors (CPU, int64).
//
// Layout (B sentences, S = longest source, T = longest target, specials from the config):
//   src         [B, S]  source ids followed by EOS, right-padded with pad_id
//   src_lengths [B]     source lengths including EOS (>= 1)
//   tgt_in      [B, T]  BOS followed by the target ids (decoder inputs y_0 .. y_{T-1})
//   tgt_out     [B, T]  the target ids followed by EOS (gold outputs), right-padded with pad_id
// tgt_in is padded with pad_id at the same positions as tgt_out; those positions produce
// logits that the loss ignores.
#ifndef TANDEM_MODEL_BATCH_H_
#define TANDEM_MODEL_BATCH_H_

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "model/model_config.h"

namespace tandem::model {

struct Batch {
  at::Tensor src;          // [B, S] int64
  at::Tensor src_lengths;  // [B] int64
  at::Tensor tgt_in;       // [B, T] int64
  at::Tensor tgt_out;      // [B, T] int64
  int64_t target_tokens = 0;    // non-pad entries of tgt_out (EOS counted, BOS not)
  bool src_padded = false;      // true when some source is shorter than S

  int64_t size() const { return src.defined() ? src.size(0) : 0; }
};

// Builds a batch from raw token ids (no specials: MakeBatch appends EOS to sources and
// targets and prepends BOS to the decoder inputs). `sources` and `targets` must have the same
// (non-zero) size; every id must lie in [0, vocab) and must not be pad/bos/eos (they are
// added here); empty sentences are allowed (a source becomes just EOS).
absl::StatusOr<Batch> MakeBatch(const std::vector<std::vector<int>>& sources,
                                const std::vector<std::vector<int>>& targets,
                                const ModelConfig& config);

// Sources only (for decoding): src and src_lengths set, targets left undefined.
absl::StatusOr<Batch> MakeSourceBatch(const std::vector<std::vector<int>>& sources,
                                      const ModelConfig& config);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_BATCH_H_
