// Coordinator: the control plane's logic, free of gRPC, behind one facade whose methods the
// gRPC adapters (grpc_services.h) call one to one. It composes the roles:
//   JobStore         durable state in SQLite (jobs, events, metrics, workers)
//   Membership       workers joining, beating, leaving, declared lost; forming generations
//   PlanSchedule     which job is prepared and which waiting job gets free workers
//   Preparation      the preparation thread
//   ProgressTracker  merged progress of the ranks, curve points, their persistence
//   ModelStore       checkpoints, the final model, model and artifact files
//
// Threading: public methods are thread-safe. One mutex (mu_) guards every role but the
// JobStore and the ModelStore, which are thread-safe on their own; the store's lock is
// always taken after mu_, never before. File writes of uploads run outside mu_. A
// background thread (Start) calls Tick() every `tick`.
#ifndef TANDEM_COORDINATOR_COORDINATOR_H_
#define TANDEM_COORDINATOR_COORDINATOR_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "coordinator/job_store.h"
#include "coordinator/log_store.h"
#include "coordinator/membership.h"
#include "coordinator/model_store.h"
#include "coordinator/preparation.h"
#include "coordinator/progress_tracker.h"
#include "coordinator/stall_detector.h"
#include "common/files.h"
#include "coordinator/upload_store.h"
#include "tandem/v1/control_service.pb.h"
#include "tandem/v1/job.pb.h"
#include "tandem/v1/job_service.pb.h"

namespace tandem {

// What ListJobsRequest.summary keeps of a job (its live progress merged in by the caller).
tandem::v1::JobInfo JobSummary(const tandem::v1::JobInfo& job);

// The longest error text a worker's report may put in a job's message and events.
inline constexpr size_t kMaxErrorBytes = 4096;
// The longest event kind a ListEvents filter may name (every kind Tandem writes is shorter).
inline constexpr size_t kMaxEventKindBytes = 64;

struct CoordinatorOptions {
  std::string data_dir;  // holds state.db and jobs/<id>/
  std::chrono::milliseconds heartbeat_interval{500};
  // A worker silent for this long is declared lost.
  std::chrono::milliseconds worker_timeout{3000};
  // A generation whose members have all waited on each other this long is stalled
  // (StallDetector): re-formed without the member the others wait for. 0: never.
  std::chrono::milliseconds stall_timeout{10000};
  // How long the member left out of a stalled generation first sits its job out (doubling at
  // each repeat, up to 10 minutes).
  std::chrono::milliseconds stall_sit_out{30000};
  std::chrono::milliseconds tick{100};
  // Directories whose files jobs may name by path (--corpus_root); none: uploads only.
  std::vector<std::string> corpus_roots;
  // Limits of uploads: each file, and all of them together (UploadStore).
  uint64_t max_upload_bytes = uint64_t{4} << 30;
  uint64_t upload_quota_bytes = uint64_t{64} << 30;
  // An upload no job in progress names is removed once unused this long (CollectUploads,
  // run by the scheduling thread at start and every upload_collect_interval).
  std::chrono::seconds upload_ttl{24 * 3600};
  std::chrono::milliseconds upload_collect_interval{10 * 60 * 1000};
  // Jobs and events kept (JobStoreLimits).
  JobStoreLimits limits;
  // Ended jobs are deleted (DeleteJob) this long after they ended; 0: kept until deleted.
  // Checked with the upload collection (at start and every upload_collect_interval).
  std::chrono::milliseconds job_retention{0};
  // The most bytes of worker log lines kept per job (LogStore).
  uint64_t max_log_bytes_per_job = uint64_t{64} << 20;
  // Wall clock in milliseconds since the epoch; injectable for tests.
  std::function<int64_t()> now_ms;
};

class Coordinator {
 public:
  // Opens (creating) the data directory and its state, and recovers jobs and workers from it.
  static absl::StatusOr<std::unique_ptr<Coordinator>> Create(CoordinatorOptions options);
  ~Coordinator();
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // Starts / stops the background scheduling thread. Stop waits for a running preparation.
  void Start();
  void Stop();

  // --- JobService ---
  // Applies defaults, validates the spec and the corpus files (uploads, or paths under the
  // corpus roots: corpus_files.h); stores the job (QUEUED) with the files it will read.
  // A named spec is submitted once: when a stored job has the name and the same spec, its
  // id is returned and `*existing` (if given) set; with another spec, AlreadyExists.
  // `file_names`: SubmitJobRequest.file_names (checked: CheckFileNames). `owner`: the
  // submitting user (JobInfo.owner); another user's job of the same name is AlreadyExists
  // without naming it.
  absl::StatusOr<std::string> SubmitJob(tandem::v1::JobSpec spec, bool* existing = nullptr,
                                        const std::map<std::string, std::string>& file_names = {},
                                        const std::string& owner = "");
  // The user who owns job `id` (JobInfo.owner, empty for none); NotFound for an unknown job,
  // InvalidArgument for an id that is no path component.
  absl::StatusOr<std::string> JobOwner(const std::string& id);
  // Removes an ended job: its state (JobStore::DeleteJob) and its files; returns the bytes
  // of files removed.
  absl::StatusOr<uint64_t> DeleteJob(const std::string& id);
  // Deletes the jobs that ended more than options.job_retention ago; returns how many.
  int DeleteExpiredJobs();
  // The job's worker log lines from `offset` (LogStore::Read); NotFound for an unknown job.
  absl::StatusOr<LogStore::Page> GetLogs(const std::string& id, std::optional<uint32_t> rank,
                                         uint64_t offset);
  // Corpus files uploaded by clients.
  UploadStore& uploads() { return *uploads_; }
  // Removes uploads that no queued, preparing, waiting or running job names and that were
  // not used for upload_ttl; returns the bytes freed.
  uint64_t CollectUploads();
  absl::StatusOr<tandem::v1::JobInfo> GetJob(const std::string& id);
  // The page of jobs `request` asks for, newest first (its filters, limit and page_token:
  // SelectJobPage), with the total and the next page's token; with `summary`, each job as
  // JobSummary. The default request: every job, whole. InvalidArgument naming the field for
  // a bad filter or page token. `visible_to`: SelectJobPage's (a user's view).
  absl::StatusOr<tandem::v1::ListJobsResponse> ListJobs(
      const tandem::v1::ListJobsRequest& request = {}, const std::string& visible_to = "");
  absl::StatusOr<tandem::v1::JobInfo> CancelJob(const std::string& id);
  // Events of job `id`, or of every job when it is empty (then, with an `owner`, of that
  // user's jobs only), filtered as JobStore::ListEvents says. A kind over 64 bytes is
  // INVALID_ARGUMENT.
  absl::StatusOr<std::vector<tandem::v1::JobEvent>> ListEvents(
      const std::string& id, int64_t after_seq, uint32_t limit, const std::string& owner = "",
      const EventFilter& filter = {});
  // Every registered worker. `visible_to` (a user): workers on another user's job show no job
  // and rank (that user may not learn the job's id).
  std::vector<tandem::v1::WorkerInfo> ListWorkers(const std::string& visible_to = "");
  // What happened to jobs since start (Prometheus counters), and the coordinator's clock.
  JobCounters Counters() { return store_->Counters(); }
  int64_t NowMs() const { return Now(); }
  // The job's training curve (stored points and those not yet flushed), from after
  // `after_step` (an index range: a dashboard's stream asks for the new points only).
  absl::StatusOr<std::vector<tandem::v1::MetricPoint>> GetMetrics(const std::string& id,
                                                                 uint64_t after_step = 0);

  // --- ControlService ---
  // Registers the worker; the response carries its session token, which only the worker
  // (and, as a digest, the coordinator's state) knows.
  absl::StatusOr<tandem::v1::JoinResponse> Join(const tandem::v1::JoinRequest& request);
  // OK when `session_token` is the one `worker_id` got from Join. Unauthenticated for a wrong
  // token, NotFound ("join again") for an unknown worker or one registered before sessions.
  // Takes no mu_, like Heartbeat (Membership::CheckSession is thread-safe).
  absl::Status AuthenticateWorker(const std::string& worker_id, const std::string& session_token)
      ABSL_NO_THREAD_SAFETY_ANALYSIS;
  // The secret of a generation's collective (WorkAssignment.collective_key): derived from the
  // coordinator's key (secret.key in the data directory), the job and the generation.
  std::string CollectiveKey(const std::string& job_id, uint64_t generation) const;
  // A worker's heartbeat, with the log lines it logged since the last one: kept for the
  // job the coordinator assigned it to (or last did), tagged with its rank there; lines for
  // other jobs are dropped. InvalidArgument for more than kMaxLogLinesPerHeartbeat lines.
  // Takes no mu_ (Membership's liveness table, the store's jobs in memory and the log store
  // are thread-safe): a heartbeat never waits for another call's write to SQLite, and may
  // run on gRPC's callback threads (grpc_services.h).
  // `wait`: HeartbeatRequest.collective_wait, if set (Membership keeps it for the stall check).
  absl::StatusOr<tandem::v1::HeartbeatResponse> Heartbeat(
      const std::string& worker_id, const std::vector<tandem::v1::LogLine>& log_lines = {},
      const tandem::v1::CollectiveWait* wait = nullptr) ABSL_NO_THREAD_SAFETY_ANALYSIS;
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
  // OK when `worker_id` may store a checkpoint of `step`: it is rank 0 of `generation`, the
  // running job's current one, and has reached the step (at most one past the step it
  // reported). PermissionDenied saying why otherwise. Checked before an upload is read.
  absl::Status CheckUploader(const std::string& worker_id, const std::string& job_id,
                             uint64_t generation, uint64_t step);
  // Stores a checkpoint uploaded by rank 0 (CheckUploader; atomically; the newest
  // checkpoints_kept are kept). `final` stores the finished model for download.
  absl::Status StoreCheckpoint(const std::string& worker_id, const std::string& job_id,
                               uint64_t generation, uint64_t step, bool final,
                               const std::string& data);
  // The files of a job's model, name -> path: job.json, source.model, target.model and
  // model.ckpt, which is the final model once stored, else the newest checkpoint of a running
  // job. FailedPrecondition (saying why) while there is neither.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ModelFiles(
      const std::string& job_id);

  // One scheduling pass (the background thread's body; tests may call it directly): declares
  // silent workers lost, starts a preparation, gives free workers to waiting jobs.
  void Tick();

  std::string JobDir(const std::string& id) const;

 private:
  Coordinator(CoordinatorOptions options, std::unique_ptr<JobStore> store, std::string secret,
              std::unique_ptr<UploadStore> uploads);
  absl::Status Recover();
  // The stored job named spec.name() when it has this spec and owner; nullopt for an unnamed
  // spec or a free name; AlreadyExists when the name is another user's or another spec's.
  absl::StatusOr<std::optional<std::string>> FindNamedJob(const tandem::v1::JobSpec& spec,
                                                          const std::string& owner);
  // Hands a running job's stored "epoch_end" texts to the progress tracker (Recover), so that
  // accounts sent again after a restart make no second event.
  absl::Status RememberEpochAccounts(const std::string& job_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Removes job directories no stored job names (a deletion cut short by a crash).
  void RemoveOrphanJobDirs(const std::vector<tandem::v1::JobInfo>& jobs);
  int64_t Now() const { return options_.now_ms(); }

  // Starts the next generation of `job` with `members` (ranks in that order) and stores it
  // with an "assigned" event.
  absl::Status StartGeneration(tandem::v1::JobInfo& job, const std::vector<std::string>& members,
                               const std::string& why) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The next generation of `job` with `members` if they are at least workers.min, else back
  // to waiting (members released); stored with `why`.
  absl::Status ContinueWith(tandem::v1::JobInfo& job, const std::vector<std::string>& members,
                            const std::string& why) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A member of `job_id` is gone: re-form the generation or go back to waiting.
  void HandleMemberLoss(const std::string& job_id, const std::string& worker_id,
                        const std::string& why) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A rank reported an error: a broken all-reduce re-forms the generation (once it is known
  // who is alive: ReformFailedGenerations), anything else fails the job.
  absl::Status HandleRankError(tandem::v1::JobInfo& job, const tandem::v1::ProgressReport& r)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Re-forms each generation whose all-reduce broke as soon as every member was heard from
  // since (a failure report or a heartbeat), or after FailureGrace(): members silent since
  // the failure are then declared lost, so the new generation holds only the living instead
  // of waiting out the heartbeat timeout with a dead member in it.
  void ReformFailedGenerations() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Re-forms each running generation StallDetector calls stalled, without the member the
  // others wait for (released to other jobs), with a "stalled" event.
  void ReformStalledGenerations() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Two heartbeat intervals and a margin: a living member is heard from within it.
  int64_t FailureGraceMs() const { return 2 * options_.heartbeat_interval.count() + 250; }
  // The grace when every silent member is one whose stream broke (ProgressReport.
  // broken_peer_rank): its process most likely ended, so only the time for its peers' own
  // reports of the same break, not for a heartbeat.
  static constexpr int64_t kBrokenPeerGraceMs = 150;
  // Rank 0 finished: the job succeeds (FailedPrecondition without a stored final model);
  // `time_up`: at the step its training.max_duration ran out (the message says so).
  absl::Status Finish(tandem::v1::JobInfo& job, bool time_up) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ScheduleJobs() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<tandem::v1::JobInfo> CheckUploaderLocked(const std::string& worker_id,
                                                          const std::string& job_id,
                                                          uint64_t generation, uint64_t step)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::unique_ptr<FileLock> lock_;  // data_dir/LOCK, held for the coordinator's lifetime
  const CoordinatorOptions options_;
  const std::unique_ptr<JobStore> store_;
  const std::string secret_;  // never logged
  const std::unique_ptr<UploadStore> uploads_;
  const ModelStore models_;
  LogStore logs_;

  absl::Mutex mu_;
  Membership membership_ ABSL_GUARDED_BY(mu_);
  ProgressTracker progress_ ABSL_GUARDED_BY(mu_);
  Preparation preparation_;  // its state is guarded by mu_ too
  // Generations whose all-reduce broke, by job: when, and the members that reported it.
  struct FailedGeneration {
    uint64_t generation = 0;
    int64_t failed_ms = 0;
    std::set<std::string> reported;
    std::set<std::string> broken;  // members a report named as the peer whose stream broke
  };
  std::map<std::string, FailedGeneration> failed_ ABSL_GUARDED_BY(mu_);
  StallDetector stalls_ ABSL_GUARDED_BY(mu_);

  std::atomic<bool> stop_{false};
  std::thread scheduler_;
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_COORDINATOR_H_
