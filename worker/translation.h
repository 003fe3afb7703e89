// Translation with a trained model, shared by the local mode (`tandem-local translate`) and the
// coordinator's Translate RPC: where a model's files are, loading them into a Trainer, the input
// limits, and one TranslateRequest answered with a loaded model.
#ifndef TANDEM_WORKER_TRANSLATION_H_
#define TANDEM_WORKER_TRANSLATION_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tandem/v1/job_service.pb.h"
#include "worker/trainer.h"

namespace tandem {

// The files of a trained model: the job spec as JSON (defaults applied), the two SentencePiece
// models and a checkpoint (the final model or a training checkpoint).
struct ModelPaths {
  std::string job_json, source_model, target_model, checkpoint;
  // The layout of a model directory (`tandem train --local --out DIR`, `tandem download`):
  // job.json, source.model, target.model, model.ckpt.
  static ModelPaths InDirectory(const std::string& dir);
};

// Builds the model of `paths.job_json` and restores `paths.checkpoint` into it; errors name
// the file. `threads`: LibTorch intra-op threads for decoding.
absl::StatusOr<std::unique_ptr<Trainer>> LoadTrainedModel(const ModelPaths& paths, int threads);

// Input limits, per sentence and per request.
inline constexpr size_t kMaxTranslateWords = 200;
inline constexpr size_t kMaxTranslateBytes = 4096;
inline constexpr size_t kMaxTranslateSentences = 64;
inline constexpr int kMaxBeamSize = 64;

// INVALID_ARGUMENT, naming sentence `n` (1-based) and the limit, for an empty sentence or one
// over kMaxTranslateWords words or kMaxTranslateBytes bytes.
absl::Status CheckTranslationInput(const std::string& sentence, size_t n);

// The checks of a request that need no model: 1..kMaxTranslateSentences sentences, each
// passing CheckTranslationInput, and beam_size 0 (default 5) .. kMaxBeamSize.
absl::Status CheckTranslateRequest(const v1::TranslateRequest& request);

// Answers `request` (its job_id is not looked at) with `model`: CheckTranslateRequest, then
// translates (beam search; greedy with attention matrices when
// request.attention). Leaves TranslateResponse.model / model_step to the caller.
absl::StatusOr<v1::TranslateResponse> TranslateWith(Trainer& model,
                                                    const v1::TranslateRequest& request);

}  // namespace tandem

#endif  // TANDEM_WORKER_TRANSLATION_H_
