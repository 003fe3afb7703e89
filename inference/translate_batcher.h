// Concurrent translation requests on one model decoded together (the coordinator's
// JobService.Translate): one batch's decoder steps multiply every live hypothesis of every
// request in one product, which reads the output layer's weights once for all of them instead
// of once per request.
//
// How a request travels:
// - It joins the open batch of the same Translator and options if its sentences fit
//   (Translator::ChunkSize). Otherwise it opens a batch of its own.
// - A batch opened while fewer than `busy` batches decode starts at once: a request never
//   waits while a core is free for it. Once `busy` batches decode (by default one per core),
//   the batch collects joiners for at most `max_wait` (or until it is full), then starts.
// - Each batch decodes on a thread of its own, so a batch never waits for another.
// - A request returns as soon as its own sentences are final (Translator::CandidatesDone),
//   not when its batch's longest sentence ends.
//
// The results are the Translator's for the batch's sentences: the same tokens as the request
// decoded alone, up to floating-point ties (a product over more rows may round differently).
#ifndef TANDEM_INFERENCE_TRANSLATE_BATCHER_H_
#define TANDEM_INFERENCE_TRANSLATE_BATCHER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "inference/translator.h"

namespace tandem::inference {

class TranslateBatcher {
 public:
  // `max_wait`: the latency a request may pay for company while `busy` batches decode; zero
  // turns batching off (every request decodes alone, at once). `busy` 0: a new batch always
  // waits for company (for bursts of simultaneous requests, and tests).
  TranslateBatcher(absl::Duration max_wait, size_t busy);
  // Waits for the batches still decoding.
  ~TranslateBatcher();
  TranslateBatcher(const TranslateBatcher&) = delete;
  TranslateBatcher& operator=(const TranslateBatcher&) = delete;

  // Translator::Translate's result for `sentences` (not empty), decoded in a batch with other
  // requests on `translator` with equal `options`. `translator` must stay valid until this
  // returns. Thread-safe. A decoding error is every member request's error.
  absl::StatusOr<std::vector<std::vector<Candidate>>> Translate(
      Translator& translator, const std::vector<std::string>& sentences,
      const TranslateOptions& options);

  struct Stats {
    uint64_t batches = 0;   // batches decoded
    uint64_t requests = 0;  // requests answered
    uint64_t joined = 0;    // requests that joined a batch another request opened
    size_t largest = 0;     // most sentences in one batch
  };
  Stats stats() const;

 private:
  struct Member;
  struct Batch;

  // Starts `batch`'s decoding thread; the batch is no longer open.
  void Start(const std::shared_ptr<Batch>& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The decoding thread's body.
  void Decode(const std::shared_ptr<Batch>& batch);
  // Joins the threads of batches that ended.
  void Reap() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Batches holding a core: decoding, with a request not yet answered (a batch whose every
  // request has its answer is only returning from the decoder).
  size_t Busy() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether a new `batch` should still wait for company: open, not full, and the cores busy.
  bool KeepsWaiting(const Batch* batch) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::Duration max_wait_;
  const size_t busy_;
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<Batch>> open_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Batch>> decoding_ ABSL_GUARDED_BY(mu_);
  Stats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tandem::inference

#endif  // TANDEM_INFERENCE_TRANSLATE_BATCHER_H_
