// The worker daemon's logic: join the coordinator, heartbeat, and when an assignment arrives
// fetch (or find in the cache) the shards and tokenizer, report ready, and train the
// assignment's generation with the training loop (training/training_loop.h), reporting to the
// coordinator (worker/progress_reporter.h). One worker serves one job at a time.
//
// Threading: Run() blocks in the heartbeat loop until Stop(); assignments are prepared on a
// separate thread so heartbeats continue during long transfers.
#ifndef TANDEM_WORKER_WORKER_H_
#define TANDEM_WORKER_WORKER_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "worker/log_shipper.h"
#include "collective/communicator.h"
#include "worker/artifact_cache.h"
#include "worker/coordinator_client.h"

namespace tandem {

class Trainer;  // training/trainer.h (LibTorch stays out of this header)

namespace collective {
class CollectiveService;  // collective/collective_service.h (gRPC stays out of this header)
}  // namespace collective

struct WorkerOptions {
  std::string coordinator;  // host:port
  // Where peers reach this worker's CollectiveService: `advertise_host`:`listen_port`. An
  // empty host is found before each join (DefaultAdvertiseHost, common/net.h: the --listen
  // host, or for a wildcard listen this machine's address towards the coordinator).
  std::string advertise_host;
  std::string listen_address;  // the --listen flag (its host decides the default above)
  int listen_port = 0;         // the port the CollectiveService is bound to
  std::string cache_dir;
  std::chrono::milliseconds rpc_timeout{5000};
  int threads = 2;  // LibTorch threads for training
  // All-reduce payloads to peers on this host through shared memory (--no_shared_memory
  // turns it off; collective/shm_outbox.h).
  bool shared_memory = true;
  // The memory this worker may use (MemoryLimitBytes), reported when joining.
  uint64_t memory_bytes = 0;
  // TLS towards the coordinator and the peers (the worker's certificate is its identity).
  TransportSecurity security;
  // Presented when joining; the coordinator requires it off loopback.
  std::string join_token;
  // Where this process's log lines collect to go with the heartbeats (`tandem logs`); not
  // owned, installed as the LogSink by main(). Null: no lines are sent.
  LogShipper* log_shipper = nullptr;
};

class Worker {
 public:
  // `collective` (not owned, outlives the worker) is the CollectiveService this worker hosts
  // at options.advertise_host:listen_port; ring neighbours push gradient segments to it.
  Worker(WorkerOptions options, collective::CollectiveService* collective);
  ~Worker();

  // Runs until Stop(); returns after leaving the coordinator.
  void Run();
  void Stop();

  // The id given by the coordinator ("" before joining).
  std::string id() const;

 private:
  void HandleAssignment(const tandem::v1::WorkAssignment& assignment);
  // What the collective has waited for since at least a second (a heartbeat carries it for
  // the coordinator's stall detection), or nullopt. It names the peers this worker cannot
  // reach (probed at most every 2 s, taking up to a second).
  std::optional<tandem::v1::CollectiveWait> LongCollectiveWait();
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
  collective::CollectiveService* const collective_;
  CoordinatorClient client_;
  ArtifactCache cache_;
  std::atomic<bool> stop_{false};
  // Until then (steady clock, ns) heartbeats go every kHurriedHeartbeat instead of the
  // coordinator's interval: a run just failed and the next assignment is due soon.
  std::atomic<int64_t> hurry_until_ns_{0};
  static constexpr std::chrono::milliseconds kHurriedHeartbeat{50};
  static constexpr std::chrono::seconds kHurryFor{3};

  mutable absl::Mutex mu_;
  std::string worker_id_ ABSL_GUARDED_BY(mu_);
  std::string current_job_ ABSL_GUARDED_BY(mu_);
  uint64_t current_generation_ ABSL_GUARDED_BY(mu_) = 0;
  // The current generation's members' collective addresses and this worker's rank.
  std::vector<std::string> current_peers_ ABSL_GUARDED_BY(mu_);
  int current_rank_ ABSL_GUARDED_BY(mu_) = 0;
  // The last reachability probe (heartbeat thread only): when, of which generation, its result.
  std::chrono::steady_clock::time_point probed_at_;
  collective::GroupId probed_group_;
  std::vector<int> unreachable_;
  // The current assignment's thread and its cancel flag; only the heartbeat loop (Run) and
  // the destructor touch them.
  std::thread run_thread_;
  // Runs that were told to stop but may still be finishing (e.g. a step waiting in an
  // all-reduce until its deadline); joined later so that heartbeats never wait for them.
  std::vector<std::thread> retired_;
  std::vector<std::unique_ptr<std::atomic<bool>>> retired_cancel_;
  std::unique_ptr<std::atomic<bool>> run_cancel_;
  collective::GroupId run_group_;  // the (job, generation) the current run trains in
  // The replica, kept across the generations of one job. A run holds trainer_mu_ while it
  // trains, so a new generation's run waits for the previous one to leave its step.
  absl::Mutex trainer_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::unique_ptr<Trainer> trainer_ ABSL_GUARDED_BY(trainer_mu_);
  std::string trainer_job_ ABSL_GUARDED_BY(trainer_mu_);
  // Epoch accounts of trainer_job_ not yet taken in by the coordinator (ProgressReporter).
  std::vector<v1::EpochAccount> unsent_accounts_ ABSL_GUARDED_BY(trainer_mu_);
};

}  // namespace tandem

#endif  // TANDEM_WORKER_WORKER_H_
