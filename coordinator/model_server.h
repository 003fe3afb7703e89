// Translation served by the coordinator (JobService.Translate): each job's newest model (the
// final model once stored, else the newest checkpoint: what DownloadModel sends) loaded into
// LibTorch on first use and kept for the next requests until a newer one appears.
#ifndef TANDEM_COORDINATOR_MODEL_SERVER_H_
#define TANDEM_COORDINATOR_MODEL_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "coordinator/coordinator.h"
#include "inference/translate_batcher.h"
#include "tandem/v1/job_service.pb.h"

namespace tandem {

namespace inference {
class TrainedModel;
struct ModelPaths;
}  // namespace inference

// Thread-safe (see Translate).
class ModelServer {
 public:
  // `coordinator` (not owned) outlives this. `threads`: LibTorch intra-op threads for
  // decoding. `batch_wait`: TranslateBatcher's max_wait (zero: each request decodes alone).
  // At most `max_models` models stay loaded (the least recently used goes first).
  ModelServer(Coordinator* coordinator, int threads, absl::Duration batch_wait,
              size_t max_models = 2);
  ~ModelServer();

  // Checks the request (sentences, beam) before any model is loaded, then translates with the
  // job's newest model; errors as JobService.Translate documents them. Thread-safe: requests
  // decode at the same time, those on one model with equal options together in batches
  // (inference/translate_batcher.h), each batch on `threads` LibTorch threads; only loading a
  // model is done one at a time.
  absl::StatusOr<v1::TranslateResponse> Translate(const v1::TranslateRequest& request);

  // How many times a model was read from disk (for tests: a repeated request reuses it).
  uint64_t loads() const;
  // Batches decoded, requests in them, requests that joined another's batch.
  inference::TranslateBatcher::Stats batching() const { return batcher_.stats(); }

 private:
  struct Loaded {
    std::string job_id;
    std::string key;  // checkpoint path, size and modification time
    bool final = false;
    // Shared with the translations running on it: a newer checkpoint replaces it here while
    // they finish on the old one.
    std::shared_ptr<inference::TrainedModel> model;
    uint64_t last_used = 0;
  };

  // The loaded model of `job_id` at `key` (loading it, and dropping the least recently used
  // beyond max_models_).
  absl::StatusOr<Loaded*> Find(const std::string& job_id, const inference::ModelPaths& paths,
                               const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Coordinator* const coordinator_;
  const int threads_;
  const size_t max_models_;
  mutable absl::Mutex mu_;
  std::vector<Loaded> loaded_ ABSL_GUARDED_BY(mu_);
  uint64_t clock_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t loads_ ABSL_GUARDED_BY(mu_) = 0;
  // Last: destroyed first, so that its decoding threads end before the models go.
  inference::TranslateBatcher batcher_;
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_MODEL_SERVER_H_
