#include "inference/trained_model.h"

#include <utility>

#include "common/files.h"
#include "common/job_spec.h"
#include "common/status.h"
#include "data/tokenizer.h"
#include "model/checkpoint.h"
#include "model/int8_linear.h"
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

namespace {

// The model of a job file and its tokenizers (loaded into `source` and `target`), with
// defined but meaningless initial values: a checkpoint's parameters go in next.
absl::StatusOr<model::Seq2Seq> BuildModel(const ModelPaths& paths,
                                          std::unique_ptr<Tokenizer>& source,
                                          std::unique_ptr<Tokenizer>& target,
                                          model::ModelConfig& config) {
  TANDEM_ASSIGN_OR_RETURN(std::string text, ReadFile(paths.job_json));
  TANDEM_ASSIGN_OR_RETURN(v1::JobSpec spec, ParseJobText(text, paths.job_json));
  TANDEM_ASSIGN_OR_RETURN(source, Tokenizer::Load(paths.source_model));
  TANDEM_ASSIGN_OR_RETURN(target, Tokenizer::Load(paths.target_model));
  config = model::ModelConfigFor(spec, source->vocab_size(), target->vocab_size());
  return model::CreateSeq2Seq(config, spec.training().seed());
}

}  // namespace

absl::StatusOr<std::unique_ptr<TrainedModel>> TrainedModel::Load(const ModelPaths& paths,
                                                                 int threads) {
  model::ConfigureTrainingRuntime(std::max(1, threads));
  auto impl = std::make_unique<Impl>();
  model::ModelConfig config;
  TANDEM_ASSIGN_OR_RETURN(impl->model, BuildModel(paths, impl->source, impl->target, config));
  TANDEM_ASSIGN_OR_RETURN(impl->step, model::LoadParameters(paths.checkpoint, *impl->model));
  impl->model->eval();
  impl->model->PrepareBf16Decoding();  // for requests that ask for it (TranslateRequest.bf16)
  // Likewise TranslateRequest.int8, where LibTorch has the kernel (else such requests are
  // refused with the reason: Translator::Translate).
  if (model::Int8Linear::Available()) TANDEM_RETURN_IF_ERROR(impl->model->PrepareInt8Decoding());
  impl->translator = std::make_unique<Translator>(impl->model.get(), impl->source.get(),
                                                  impl->target.get(), config.eos_id);
  return std::unique_ptr<TrainedModel>(new TrainedModel(std::move(impl)));
}

Translator& TrainedModel::translator() { return *impl_->translator; }

int64_t TrainedModel::step() const { return impl_->step; }

absl::StatusOr<int64_t> AverageCheckpoints(const ModelPaths& paths,
                                           const std::vector<std::string>& checkpoints,
                                           const std::string& out) {
  std::unique_ptr<Tokenizer> source, target;
  model::ModelConfig config;
  TANDEM_ASSIGN_OR_RETURN(model::Seq2Seq model, BuildModel(paths, source, target, config));
  TANDEM_ASSIGN_OR_RETURN(const model::CheckpointContents mean,
                          model::AverageCheckpoints(checkpoints, model->OrderedParameterNames(),
                                                    model->OrderedParameters()));
  TANDEM_RETURN_IF_ERROR(model::WriteCheckpoint(out, mean));
  return mean.step;
}

}  // namespace tandem::inference
