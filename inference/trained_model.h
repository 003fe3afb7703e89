// A trained model loaded for translation: the job spec, the two SentencePiece models and a
// checkpoint's parameters (no optimizer state, no data). Used by the coordinator's model
// server and by `tandem translate/attention --model DIR`.
#ifndef TANDEM_INFERENCE_TRAINED_MODEL_H_
#define TANDEM_INFERENCE_TRAINED_MODEL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "inference/translator.h"
#include "model/model_config.h"
#include "tandem/v1/job.pb.h"

namespace tandem::inference {

// The files of a trained model: the job spec as JSON (defaults applied), the two SentencePiece
// models and a checkpoint (the final model or a training checkpoint).
struct ModelPaths {
  std::string job_json, source_model, target_model, checkpoint;
  // The layout of a model directory (`tandem train --local --out DIR`, `tandem download`):
  // job.json, source.model, target.model, model.ckpt.
  static ModelPaths InDirectory(const std::string& dir);
};

class TrainedModel {
 public:
  // Builds the model of `paths.job_json` and restores `paths.checkpoint`'s parameters into
  // it; errors name the file. `threads`: LibTorch intra-op threads for decoding.
  static absl::StatusOr<std::unique_ptr<TrainedModel>> Load(const ModelPaths& paths, int threads);
  ~TrainedModel();
  TrainedModel(const TrainedModel&) = delete;
  TrainedModel& operator=(const TrainedModel&) = delete;

  Translator& translator();
  int64_t step() const;  // the checkpoint's step

  struct Impl;

 private:
  explicit TrainedModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Checkpoint averaging (`tandem average`): writes to `out`, atomically, a model file whose
// weights are the element-wise mean of the model weights of `checkpoints` (model/checkpoint.h,
// AverageCheckpoints: summed in double precision, rounded to float32), for the model described
// by `paths.job_json` and the two tokenizers (`paths.checkpoint` is not read). Every checkpoint
// must be of that model's shape: INVALID_ARGUMENT naming the file otherwise, and `out` is not
// written. Returns the newest step among the checkpoints (the model file's step).
absl::StatusOr<int64_t> AverageCheckpoints(const ModelPaths& paths,
                                           const std::vector<std::string>& checkpoints,
                                           const std::string& out);

}  // namespace tandem::inference

#endif  // TANDEM_INFERENCE_TRAINED_MODEL_H_
