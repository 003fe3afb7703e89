#include "model/batch.h"

#include <torch/types.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace tandem::model {
namespace {

absl::Status CheckIds(const std::vector<int>& ids, int64_t vocab, const ModelConfig& c,
                      const char* side, size_t index) {
  for (size_t k = 0; k < ids.size(); ++k) {
    const int id = ids[k];
    if (id < 0 || id >= vocab || id == c.pad_id || id == c.bos_id || id == c.eos_id) {
      return absl::InvalidArgumentError(
          absl::StrCat("batch: ", side, " sentence ", index, " token ", k, ": id ", id,
                       " is outside [0, ", vocab, ") or a pad/bos/eos id"));
    }
  }
  return absl::OkStatus();
}

// Rows of `ids` (plus the given prefix/suffix id, -1 for none) right-padded to one tensor.
at::Tensor Pad(const std::vector<std::vector<int>>& ids, int64_t prefix, int64_t suffix,
               int64_t pad) {
  size_t width = 0;
  for (const auto& row : ids) width = std::max(width, row.size());
  const int64_t extra = (prefix >= 0) + (suffix >= 0);
  at::Tensor out = torch::full({static_cast<int64_t>(ids.size()), static_cast<int64_t>(width) + extra},
                               pad, torch::kInt64);
  int64_t* data = out.data_ptr<int64_t>();
  const int64_t stride = out.size(1);
  for (size_t b = 0; b < ids.size(); ++b) {
    int64_t* row = data + b * stride;
    if (prefix >= 0) *row++ = prefix;
    for (int id : ids[b]) *row++ = id;
    if (suffix >= 0) *row++ = suffix;
  }
  return out;
}

}  // namespace

absl::StatusOr<Batch> MakeSourceBatch(const std::vector<std::vector<int>>& sources,
                                      const ModelConfig& config) {
  if (sources.empty()) return absl::InvalidArgumentError("batch: no sentences");
  for (size_t i = 0; i < sources.size(); ++i) {
    if (absl::Status s = CheckIds(sources[i], config.src_vocab, config, "source", i); !s.ok()) {
      return s;
    }
  }
  Batch batch;
  batch.src = Pad(sources, -1, config.eos_id, config.pad_id);
  batch.src_lengths = torch::empty({static_cast<int64_t>(sources.size())}, torch::kInt64);
  int64_t* len = batch.src_lengths.data_ptr<int64_t>();
  for (size_t i = 0; i < sources.size(); ++i) {
    len[i] = static_cast<int64_t>(sources[i].size()) + 1;
    batch.src_padded |= len[i] != batch.src.size(1);
  }
  return batch;
}

absl::StatusOr<Batch> MakeBatch(const std::vector<std::vector<int>>& sources,
                                const std::vector<std::vector<int>>& targets,
                                const ModelConfig& config) {
  if (sources.size() != targets.size()) {
    return absl::InvalidArgumentError(absl::StrCat("batch: ", sources.size(), " sources but ",
                                                   targets.size(), " targets"));
  }
  absl::StatusOr<Batch> batch = MakeSourceBatch(sources, config);
  if (!batch.ok()) return batch.status();
  for (size_t i = 0; i < targets.size(); ++i) {
    if (absl::Status s = CheckIds(targets[i], config.tgt_vocab, config, "target", i); !s.ok()) {
      return s;
    }
  }
  batch->tgt_out = Pad(targets, -1, config.eos_id, config.pad_id);
  // Decoder inputs: BOS then the targets, padded where tgt_out is padded (same width).
  batch->tgt_in = Pad(targets, config.bos_id, -1, config.pad_id);
  batch->target_tokens = 0;
  for (const auto& t : targets) batch->target_tokens += static_cast<int64_t>(t.size()) + 1;
  return batch;
}

}  // namespace tandem::model
