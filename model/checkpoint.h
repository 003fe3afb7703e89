// The checkpoint file format (DESIGN.md section 5), read by training (parameters, Adam state
// and step) and by inference (parameters only). One LibTorch archive holding:
//   param/<name>      every parameter, named as Seq2SeqImpl::OrderedParameterNames()
//   adam/exp_avg      Adam's first moments, flat, in parameter order
//   adam/exp_avg_sq   Adam's second moments, likewise
//   meta/position     the step: data streams and dropout masks follow from it
// Writers go through WriteFileAtomic; readers check every name and shape before a caller
// changes anything, and their errors name the file.
#ifndef TANDEM_MODEL_CHECKPOINT_H_
#define TANDEM_MODEL_CHECKPOINT_H_

#include <torch/serialize.h>
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tandem::model {

class Seq2SeqImpl;

// What a checkpoint holds. The tensors may alias the caller's memory when writing.
struct CheckpointContents {
  std::vector<std::string> names;     // parameter names, in order
  std::vector<torch::Tensor> params;  // the same order
  torch::Tensor exp_avg, exp_avg_sq;  // flat float32
  int64_t step = 0;
};

// Writes `contents` to `path` atomically (temporary file, fsync, rename).
absl::Status WriteCheckpoint(const std::string& path, const CheckpointContents& contents);

class CheckpointReader {
 public:
  // Reads the archive and its step. INVALID_ARGUMENT for a truncated file or one that is not
  // a checkpoint, NOT_FOUND when it does not exist; messages name the path.
  static absl::StatusOr<CheckpointReader> Open(const std::string& path);

  int64_t step() const { return step_; }
  const std::string& path() const { return path_; }

  // The parameters named `names`, each with the shape and dtype of `like[i]`, on the CPU
  // (INVALID_ARGUMENT naming the first missing parameter or the first that differs).
  absl::StatusOr<std::vector<torch::Tensor>> Parameters(
      const std::vector<std::string>& names, const std::vector<torch::Tensor>& like) const;
  // Adam's two moment vectors: float32 of `total` elements each (anything else is refused).
  absl::Status AdamMoments(int64_t total, torch::Tensor& exp_avg, torch::Tensor& exp_avg_sq) const;

 private:
  CheckpointReader() = default;
  std::string path_;
  int64_t step_ = 0;
  std::shared_ptr<torch::serialize::InputArchive> archive_;
};

// Copies a checkpoint's parameters into `model` (names and shapes checked first; on error the
// model is unchanged) and returns the checkpoint's step. For inference: Adam state is ignored.
absl::StatusOr<int64_t> LoadParameters(const std::string& path, Seq2SeqImpl& model);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_CHECKPOINT_H_
