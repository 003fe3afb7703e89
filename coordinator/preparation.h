// Preparation: runs job preparation (PrepareJob: corpus checks, tokenizer training, shards)
// on its own thread, one job at a time, and records the outcome in the JobStore: the job
// moves on to WAITING_FOR_WORKERS with a "prepared" event, or to FAILED saying why. A job
// cancelled meanwhile is left as it is.
//
// Threading: Start and preparing() require the Coordinator's mutex (given at construction);
// the preparation runs without it and takes it to record the outcome. Join must be called
// without it.
#ifndef TANDEM_COORDINATOR_PREPARATION_H_
#define TANDEM_COORDINATOR_PREPARATION_H_

#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "coordinator/job_store.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

class Preparation {
 public:
  // `mu` (the Coordinator's) and `store` outlive this; jobs are prepared into
  // <data_dir>/jobs/<id>/.
  Preparation(absl::Mutex* mu, JobStore* store, std::string data_dir,
              std::function<int64_t()> now_ms)
      : mu_(mu), store_(store), data_dir_(std::move(data_dir)), now_ms_(std::move(now_ms)) {}
  ~Preparation() { Join(); }
  Preparation(const Preparation&) = delete;
  Preparation& operator=(const Preparation&) = delete;

  // The mutex given at construction, for the owner to tell the thread-safety analysis that it
  // holds it (mutex()->AssertHeld()).
  absl::Mutex* mutex() const ABSL_LOCK_RETURNED(mu_) { return mu_; }

  bool preparing() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(*mu_) { return preparing_; }

  // Marks a QUEUED `job` PREPARING (stored) and prepares it on the preparation thread; a job
  // already PREPARING (interrupted by a restart) is prepared again. False, with the reason
  // logged, if the job could not be stored. REQUIRES: !preparing().
  bool Start(tandem::v1::JobInfo job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(*mu_);

  // Waits for a running preparation to finish.
  void Join() ABSL_LOCKS_EXCLUDED(*mu_);

 private:
  void Run(tandem::v1::JobInfo job) ABSL_LOCKS_EXCLUDED(*mu_);

  absl::Mutex* const mu_;
  JobStore* const store_;
  const std::string data_dir_;
  const std::function<int64_t()> now_ms_;
  bool preparing_ ABSL_GUARDED_BY(*mu_) = false;
  std::thread thread_ ABSL_GUARDED_BY(*mu_);
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_PREPARATION_H_
