// A job's model, from its JobSpec, without LibTorch: the coordinator schedules with it, the
// worker and the translator build the model with it.
#ifndef TANDEM_MODEL_MODEL_SPEC_H_
#define TANDEM_MODEL_MODEL_SPEC_H_

#include <cstdint>

#include "model/model_config.h"
#include "tandem/v1/job.pb.h"

namespace tandem::model {

// The model shape a job asks for, with the vocabulary sizes of its tokenizers. The same
// function builds the model for training and for translation, so a checkpoint always fits.
ModelConfig ModelConfigFor(const v1::JobSpec& spec, int source_vocab, int target_vocab);

// The least memory a worker needs to train the job's model: the process's runtime
// (kTrainingRuntimeBytes) plus four float copies of every parameter (weights, gradients and
// Adam's two moments) and one for the all-reduce's buffers, with both vocabularies at the
// spec's size (`spec` has its defaults filled in). A floor, not an estimate: activations come
// on top. A worker whose memory limit is below it cannot train the job and is not given it.
inline constexpr uint64_t kTrainingRuntimeBytes = uint64_t{160} << 20;
uint64_t TrainingMemoryFloorBytes(const v1::JobSpec& spec);

}  // namespace tandem::model

#endif  // TANDEM_MODEL_MODEL_SPEC_H_
