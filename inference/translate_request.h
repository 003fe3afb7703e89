// The Translate request (JobService.Translate, `tandem translate`): its input limits, the
// checks that need no model, and one request answered with a Translator.
#ifndef TANDEM_INFERENCE_TRANSLATE_REQUEST_H_
#define TANDEM_INFERENCE_TRANSLATE_REQUEST_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "inference/translator.h"
#include "tandem/v1/job_service.pb.h"

namespace tandem::inference {

class TranslateBatcher;

// Input limits, per sentence and per request.
inline constexpr size_t kMaxTranslateWords = 200;
inline constexpr size_t kMaxTranslateBytes = 4096;
inline constexpr size_t kMaxTranslateSentences = 64;
inline constexpr int kMaxBeamSize = 64;
inline constexpr double kMaxLengthPenalty = 10.0;
// Per-head attention weights in one response (TranslateRequest.heads), all sentences and
// heads together: 16 MiB of floats, a quarter of the gRPC message limit.
inline constexpr size_t kMaxHeadWeights = size_t{4} << 20;

// INVALID_ARGUMENT, naming sentence `n` (1-based) and the limit, for an empty sentence or one
// over kMaxTranslateWords words or kMaxTranslateBytes bytes.
absl::Status CheckTranslationInput(const std::string& sentence, size_t n);

// The checks of a request that need no model: 1..kMaxTranslateSentences sentences, each
// passing CheckTranslationInput, and OptionsOf's.
absl::Status CheckTranslateRequest(const v1::TranslateRequest& request);

// The decoding options a request asks for (its sentences are not looked at): beam_size 0
// (default 5) .. kMaxBeamSize, length_penalty 0..kMaxLengthPenalty (unset: 1), n_best up to the
// beam size (not with attention), replace_unk, heads (only with attention). INVALID_ARGUMENT
// naming the field otherwise.
absl::StatusOr<TranslateOptions> OptionsOf(const v1::TranslateRequest& request);

// Answers `request` (its job_id is not looked at) with `translator`: CheckTranslateRequest, then
// translates (beam search with the request's options; greedy with attention matrices when
// request.attention, and each head's with request.heads: INVALID_ARGUMENT naming `heads` when
// they would pass kMaxHeadWeights). With `batcher`, translations without attention are decoded
// together with other requests' (TranslateBatcher). Leaves TranslateResponse.model /
// model_step to the caller.
absl::StatusOr<v1::TranslateResponse> TranslateWith(Translator& translator,
                                                    const v1::TranslateRequest& request,
                                                    TranslateBatcher* batcher = nullptr);

}  // namespace tandem::inference

#endif  // TANDEM_INFERENCE_TRANSLATE_REQUEST_H_
