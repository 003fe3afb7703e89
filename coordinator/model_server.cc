#include "coordinator/model_server.h"

#include <sys/stat.h>

#include <algorithm>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "inference/trained_model.h"
#include "inference/translate_request.h"

namespace tandem {

ModelServer::ModelServer(Coordinator* coordinator, int threads, absl::Duration batch_wait,
                         size_t max_models)
    : coordinator_(coordinator),
      threads_(threads),
      max_models_(std::max<size_t>(1, max_models)),
      // A batch decodes on `threads` threads: as many batches as that fills the cores run
      // before new requests wait to join one.
      batcher_(batch_wait, std::max<size_t>(1, std::thread::hardware_concurrency() /
                                                   static_cast<size_t>(std::max(1, threads)))) {}

ModelServer::~ModelServer() = default;

uint64_t ModelServer::loads() const {
  absl::MutexLock lock(&mu_);
  return loads_;
}

absl::StatusOr<v1::TranslateResponse> ModelServer::Translate(const v1::TranslateRequest& request) {
  TANDEM_RETURN_IF_ERROR(inference::CheckTranslateRequest(request));
  TANDEM_ASSIGN_OR_RETURN(auto files, coordinator_->ModelFiles(request.job_id()));
  inference::ModelPaths paths;
  for (const auto& [name, path] : files) {
    if (name == "job.json") paths.job_json = path;
    if (name == "source.model") paths.source_model = path;
    if (name == "target.model") paths.target_model = path;
    if (name == "model.ckpt") paths.checkpoint = path;
  }
  struct stat st;
  if (::stat(paths.checkpoint.c_str(), &st) != 0) {
    return absl::UnavailableError(
        absl::StrCat("job ", request.job_id(), ": model file ", paths.checkpoint, " vanished"));
  }
  const std::string key =
      absl::StrCat(paths.checkpoint, ":", st.st_size, ":", st.st_mtim.tv_sec, ".",
                   st.st_mtim.tv_nsec);

  std::shared_ptr<inference::TrainedModel> model;
  bool final = false;
  {
    absl::MutexLock lock(&mu_);
    TANDEM_ASSIGN_OR_RETURN(Loaded * loaded, Find(request.job_id(), paths, key));
    model = loaded->model;
    final = loaded->final;
  }
  // Decoding reads the model only (it stays in eval mode: model/decode.h's scope then
  // writes nothing), so requests run side by side.
  TANDEM_ASSIGN_OR_RETURN(v1::TranslateResponse response,
                          inference::TranslateWith(model->translator(), request, &batcher_));
  response.set_model(final ? "final" : "checkpoint");
  response.set_model_step(static_cast<uint64_t>(model->step()));
  return response;
}

absl::StatusOr<ModelServer::Loaded*> ModelServer::Find(const std::string& job_id,
                                                       const inference::ModelPaths& paths,
                                                       const std::string& key) {
  auto it = std::find_if(loaded_.begin(), loaded_.end(),
                         [&](const Loaded& l) { return l.job_id == job_id; });
  if (it == loaded_.end() || it->key != key) {
    TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<inference::TrainedModel> model,
                            inference::TrainedModel::Load(paths, threads_));
    ++loads_;
    if (it == loaded_.end()) {
      if (loaded_.size() >= max_models_) {
        loaded_.erase(std::min_element(
            loaded_.begin(), loaded_.end(),
            [](const Loaded& a, const Loaded& b) { return a.last_used < b.last_used; }));
      }
      loaded_.emplace_back();
      loaded_.back().job_id = job_id;
      it = loaded_.end() - 1;
    }
    it->key = key;
    // ModelFiles names the final model model/model.ckpt, checkpoints checkpoints/*.ckpt.
    it->final = absl::EndsWith(paths.checkpoint, "/model/model.ckpt");
    it->model = std::move(model);
  }
  it->last_used = ++clock_;
  return &*it;
}

}  // namespace tandem
