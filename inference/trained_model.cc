#include "inference/trained_model.h"

#include <utility>

#include "common/files.h"
#include "common/job_spec.h"
#include "common/status.h"
#include "data/tokenizer.h"
#include "model/checkpoint.h"
#include "model/model_spec.h"
#include "model/runtime.h"
#include "model/seq2seq.h"

namespace tandem::inference {

ModelPaths ModelPaths::InDirectory(const std::string& dir) {
  return {dir + "/job.json", dir + "/source.model", dir + "/target.model", dir + "/model.ckpt"};
}

struct TrainedModel::Impl {
  std::unique_ptr<Tokenizer> source, target;
  model::Seq2Seq model{nullptr};
  int64_t step = 0;
  std::unique_ptr<Translator> translator;
};

TrainedModel::TrainedModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TrainedModel::~TrainedModel() = default;

absl::StatusOr<std::unique_ptr<TrainedModel>> TrainedModel::Load(const ModelPaths& paths,
                                                                 int threads) {
  TANDEM_ASSIGN_OR_RETURN(std::string text, ReadFile(paths.job_json));
  TANDEM_ASSIGN_OR_RETURN(v1::JobSpec spec, ParseJobText(text, paths.job_json));
  model::ConfigureTrainingRuntime(std::max(1, threads));
  auto impl = std::make_unique<Impl>();
  TANDEM_ASSIGN_OR_RETURN(impl->source, Tokenizer::Load(paths.source_model));
  TANDEM_ASSIGN_OR_RETURN(impl->target, Tokenizer::Load(paths.target_model));
  const model::ModelConfig config =
      model::ModelConfigFor(spec, impl->source->vocab_size(), impl->target->vocab_size());
  // The initial values are overwritten by the checkpoint; the seed only makes them defined.
  TANDEM_ASSIGN_OR_RETURN(impl->model, model::CreateSeq2Seq(config, spec.training().seed()));
  TANDEM_ASSIGN_OR_RETURN(impl->step, model::LoadParameters(paths.checkpoint, *impl->model));
  impl->model->eval();
  impl->translator = std::make_unique<Translator>(impl->model.get(), impl->source.get(),
                                                  impl->target.get(), config.eos_id);
  return std::unique_ptr<TrainedModel>(new TrainedModel(std::move(impl)));
}

Translator& TrainedModel::translator() { return *impl_->translator; }

int64_t TrainedModel::step() const { return impl_->step; }

}  // namespace tandem::inference
