// The coordinator's logic, free of gRPC: jobs, preparation, membership and scheduling.
// The gRPC services (job_service.h, control_service.h) are thin adapters over this class.
//
// Threading: public methods are thread-safe. A background thread (Start) calls Tick() every
// `tick` to prepare queued jobs, declare silent workers lost and assign free workers to
// waiting jobs; preparation itself runs on its own thread, one job at a time.
#ifndef TANDEM_COORDINATOR_COORDINATOR_H_
#define TANDEM_COORDINATOR_COORDINATOR_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "coordinator/job_store.h"
#include "coordinator/tensorboard.h"
#include "tandem/v1/control_service.pb.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

struct CoordinatorOptions {
  std::string data_dir;  // holds state.db and jobs/<id>/
  std::chrono::milliseconds heartbeat_interval{500};
  // A worker silent for this long is declared lost.
  std::chrono::milliseconds worker_timeout{3000};
  std::chrono::milliseconds tick{100};
  // Wall clock in milliseconds since the epoch; injectable for tests.
  std::function<int64_t()> now_ms;
};

class Coordinator {
 public:
  static absl::StatusOr<std::unique_ptr<Coordinator>> Create(CoordinatorOptions options);
  ~Coordinator();
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // Starts / stops the background scheduling thread. Stop waits for a running preparation.
  void Start();
  void Stop();

  // --- JobService ---
  // Applies defaults, validates the spec and the corpus files; stores the job (QUEUED).
  absl::StatusOr<std::string> SubmitJob(tandem::v1::JobSpec spec);
  absl::StatusOr<tandem::v1::JobInfo> GetJob(const std::string& id);
  absl::StatusOr<std::vector<tandem::v1::JobInfo>> ListJobs();
  absl::StatusOr<tandem::v1::JobInfo> CancelJob(const std::string& id);
  absl::StatusOr<std::vector<tandem::v1::JobEvent>> ListEvents(const std::string& id,
                                                               int64_t after_seq, uint32_t limit);
  std::vector<tandem::v1::WorkerInfo> ListWorkers();
  // The job's training curve (stored points and those not yet flushed).
  absl::StatusOr<std::vector<tandem::v1::MetricPoint>> GetMetrics(const std::string& id);

  // --- ControlService ---
  absl::StatusOr<tandem::v1::JoinResponse> Join(const tandem::v1::JoinRequest& request);
  absl::StatusOr<tandem::v1::HeartbeatResponse> Heartbeat(const std::string& worker_id);
  // The file to stream for an artifact; only members of the job's current generation may
  // fetch. NotFound / PermissionDenied / InvalidArgument otherwise.
  absl::StatusOr<std::string> ArtifactFile(const std::string& worker_id, const std::string& job_id,
                                           const std::string& name);
  absl::Status ReportReady(const tandem::v1::ReportReadyRequest& request);
  absl::Status Leave(const std::string& worker_id);
  // A rank's progress after a step; `stop` tells it the job ended or moved to another
  // generation.
  absl::StatusOr<tandem::v1::ProgressResponse> ReportProgress(
      const tandem::v1::ProgressReport& report);
  // Stores a checkpoint uploaded by a member of the job (atomically; the newest
  // checkpoints_kept are kept). `final` stores the finished model for download.
  absl::Status StoreCheckpoint(const std::string& worker_id, const std::string& job_id,
                               uint64_t step, bool final, const std::string& data);
  // The files of a job's model, name -> path: job.json, source.model, target.model and
  // model.ckpt, which is the final model once stored, else the newest checkpoint of a running
  // job. FailedPrecondition (saying why) while there is neither.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ModelFiles(
      const std::string& job_id);

  // One scheduling pass (the background thread's body; tests may call it directly).
  void Tick();

  std::string JobDir(const std::string& id) const;

 private:
  struct WorkerEntry {
    tandem::v1::WorkerInfo info;
    int64_t last_heartbeat_ms = 0;
  };

  Coordinator(CoordinatorOptions options, std::unique_ptr<JobStore> store);
  absl::Status Recover();
  int64_t Now() const { return options_.now_ms(); }

  void DeclareLostWorkers() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A member of `job_id` is gone: re-form the generation or go back to waiting.
  void HandleMemberLoss(const std::string& job_id, const std::string& worker_id,
                        const std::string& why) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ScheduleJobs() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Forms a new generation of `job` from `workers` (ranks in the given order).
  absl::Status AssignGeneration(tandem::v1::JobInfo& job, const std::vector<std::string>& workers,
                                const std::string& why) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReleaseWorkers(const tandem::v1::JobInfo& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PersistWorker(const WorkerEntry& w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void StartPreparation(tandem::v1::JobInfo job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RunPreparation(tandem::v1::JobInfo job);

  const CoordinatorOptions options_;
  const std::unique_ptr<JobStore> store_;

  // Applies the in-memory progress of a job to `job` (progress is persisted at most once a
  // second, and at validations and the end).
  void MergeProgress(tandem::v1::JobInfo& job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::map<std::string, WorkerEntry> workers_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, tandem::v1::JobProgress> progress_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> progress_saved_ms_ ABSL_GUARDED_BY(mu_);
  // Curve points waiting to be written with the next progress flush.
  std::map<std::string, std::vector<tandem::v1::MetricPoint>> pending_metrics_
      ABSL_GUARDED_BY(mu_);
  // One TensorBoard event file per job (jobs/<id>/tensorboard/), written at each flush.
  std::map<std::string, TensorBoardWriter> tensorboard_ ABSL_GUARDED_BY(mu_);
  bool preparing_ ABSL_GUARDED_BY(mu_) = false;
  std::thread preparation_thread_ ABSL_GUARDED_BY(mu_);

  std::atomic<bool> stop_{false};
  std::thread scheduler_;
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_COORDINATOR_H_
