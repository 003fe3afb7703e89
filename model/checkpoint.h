// The checkpoint file format (DESIGN.md section 5), read by training (parameters, Adam state
// and step) and by inference (parameters only). Tensors by name:
//   param/<name>      every parameter, named as Seq2SeqImpl::OrderedParameterNames(): the
//                     model's weights, the ones to translate with (with training.ema_decay,
//                     the exponential moving average of the training weights)
//   adam/exp_avg      Adam's first moments, flat, in parameter order
//   adam/exp_avg_sq   Adam's second moments, likewise
//   train/<name>      only when param/ holds an average (training.ema_decay): the training
//                     weights themselves, in the same order after the Adam moments, for
//                     resuming exactly; readers that only translate never look at them
// and the step, from which data streams and dropout masks follow. A checkpoint without
// train/ tensors (EMA off, or written before EMA existed) trains from param/.
//
// The bytes (little-endian), Tandem's own rather than LibTorch's archive: checkpoints come
// from the network, and LibTorch's unpickler allocates what a length field says before
// checking it against the file (fuzz/regressions/checkpoint_fuzz/ holds a 2.7 KB file that
// asked it for 1.6 GB). Every field here is checked against the bytes that remain before
// anything is allocated:
//   "TANDEMCK" u32 version (1) u32 tensor count (<= kMaxCheckpointTensors) i64 step
//   per tensor: u32 name length (<= 4096), name, u8 dtype (1 float32, 2 float64, 3 float16,
//               4 bfloat16, 5 int64, 6 int32), u8 rank (<= 8), i64 dims[rank] (>= 0), then
//               the elements, contiguous
//   the file ends with the last tensor's bytes.
// Writers go through WriteFileAtomic; readers check every name, dtype and shape before a
// caller changes anything, and their errors name the file.
#ifndef TANDEM_MODEL_CHECKPOINT_H_
#define TANDEM_MODEL_CHECKPOINT_H_

#include <torch/torch.h>

#include <cstdint>
#include <map>
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
  // Empty, or the training weights when `params` holds their average (names[i] each).
  std::vector<torch::Tensor> train_params;
  int64_t step = 0;
};

// Writes `contents` to `path` atomically (temporary file, fsync, rename).
absl::Status WriteCheckpoint(const std::string& path, const CheckpointContents& contents);

class CheckpointReader {
 public:
  // Reads the file, its index and its step. INVALID_ARGUMENT for a truncated file, one that is
  // not a checkpoint or has any field out of bounds, NOT_FOUND when it does not exist;
  // messages name the path.
  static absl::StatusOr<CheckpointReader> Open(const std::string& path);

  int64_t step() const { return step_; }
  const std::string& path() const { return path_; }

  // The parameters named `names`, each with the shape and dtype of `like[i]`, on the CPU
  // (INVALID_ARGUMENT naming the first missing parameter or the first that differs).
  absl::StatusOr<std::vector<torch::Tensor>> Parameters(
      const std::vector<std::string>& names, const std::vector<torch::Tensor>& like) const;
  // Adam's two moment vectors: float32 of `total` elements each (anything else is refused).
  absl::Status AdamMoments(int64_t total, torch::Tensor& exp_avg, torch::Tensor& exp_avg_sq) const;
  // Whether the file holds any train/ tensor (param/ then holds an average).
  bool HasTrainingParameters() const;
  // The train/ tensors, checked as Parameters() checks param/ ones (every name present, with
  // `like`'s shape and dtype; INVALID_ARGUMENT naming the file and the first that is not).
  absl::StatusOr<std::vector<torch::Tensor>> TrainingParameters(
      const std::vector<std::string>& names, const std::vector<torch::Tensor>& like) const;

 private:
  CheckpointReader() = default;
  std::string path_;
  int64_t step_ = 0;
  struct Entry {
    torch::ScalarType dtype;
    std::vector<int64_t> shape;
    size_t offset = 0;  // of the elements in bytes_
  };
  // The tensor named `name`, or nullptr.
  const Entry* Find(const std::string& name) const;
  // A tensor with `e`'s dtype and shape holding its bytes (checked by Open).
  torch::Tensor Materialize(const Entry& e) const;
  // The tensors `prefix` + names[i], checked against `like` (`what` names them in errors).
  absl::StatusOr<std::vector<torch::Tensor>> Named(const char* prefix, const char* what,
                                                   const std::vector<std::string>& names,
                                                   const std::vector<torch::Tensor>& like) const;

  std::shared_ptr<const std::string> bytes_;
  std::map<std::string, Entry> entries_;
};

inline constexpr uint32_t kMaxCheckpointTensors = 1 << 16;

// The element-wise mean of the model weights (param/) of the checkpoints `paths` (at least
// one), for a model whose parameters are `names`, float32 and shaped as `like`: each file is
// read and checked in turn (every name present with its shape and dtype, else INVALID_ARGUMENT
// naming the file), the values summed in double precision in the order of `paths`, divided by
// their number and rounded to float32. The result holds the means as `params`, the newest step
// of the files and empty Adam moments: a model to translate with, not a checkpoint to resume
// from (Replica::Load refuses it: it lacks the optimizer state). Training weights (train/) are
// not read: the mean is of what each checkpoint translates with.
absl::StatusOr<CheckpointContents> AverageCheckpoints(const std::vector<std::string>& paths,
                                                      const std::vector<std::string>& names,
                                                      const std::vector<torch::Tensor>& like);

// Copies a checkpoint's parameters into `model` (names and shapes checked first; on error the
// model is unchanged) and returns the checkpoint's step. For inference: Adam state is ignored.
absl::StatusOr<int64_t> LoadParameters(const std::string& path, Seq2SeqImpl& model);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_CHECKPOINT_H_
