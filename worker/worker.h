// The worker daemon's logic: join the coordinator, heartbeat, and when an assignment arrives
// fetch (or find in the cache) the shards and tokenizer, then report ready. Training plugs in
// after "ready" (issue [4]). One worker serves one job at a time.
//
// Threading: Run() blocks in the heartbeat loop until Stop(); assignments are prepared on a
// separate thread so heartbeats continue during long transfers.
#ifndef TANDEM_WORKER_WORKER_H_
#define TANDEM_WORKER_WORKER_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "worker/artifact_cache.h"
#include "worker/coordinator_client.h"

namespace tandem {

struct WorkerOptions {
  std::string coordinator;  // host:port
  std::string advertise_address;  // the CollectiveService address peers use
  std::string cache_dir;
  std::chrono::milliseconds rpc_timeout{5000};
  int threads = 2;  // LibTorch threads for training
};

class Worker {
 public:
  explicit Worker(WorkerOptions options);
  ~Worker();

  // Runs until Stop(); returns after leaving the coordinator.
  void Run();
  void Stop();

  // The id given by the coordinator ("" before joining).
  std::string id() const;

 private:
  void HandleAssignment(const tandem::v1::WorkAssignment& assignment);
  // Runs on the assignment's thread: fetch artifacts, report ready, train until the job ends,
  // `cancel` is set, or the coordinator says stop.
  void Prepare(tandem::v1::WorkAssignment assignment, const std::atomic<bool>& cancel);
  absl::Status Train(const tandem::v1::WorkAssignment& assignment, const std::atomic<bool>& cancel);
  // Stops and joins the current assignment's thread (never called with mu_ held).
  void StopCurrentRun();
  // Fetches one artifact into the cache unless it is there; counts which.
  absl::Status EnsureArtifact(const std::string& job_id, const std::string& name,
                              const std::string& sha256, uint32_t& fetched, uint32_t& cached);

  const WorkerOptions options_;
  CoordinatorClient client_;
  ArtifactCache cache_;
  std::atomic<bool> stop_{false};

  mutable absl::Mutex mu_;
  std::string worker_id_ ABSL_GUARDED_BY(mu_);
  std::string current_job_ ABSL_GUARDED_BY(mu_);
  uint64_t current_generation_ ABSL_GUARDED_BY(mu_) = 0;
  // The current assignment's thread and its cancel flag; only the heartbeat loop (Run) and
  // the destructor touch them.
  std::thread run_thread_;
  std::unique_ptr<std::atomic<bool>> run_cancel_;
};

}  // namespace tandem

#endif  // TANDEM_WORKER_WORKER_H_
