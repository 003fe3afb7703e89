// Durable coordinator state in SQLite (WAL, synchronous=FULL): jobs (the whole JobInfo),
// an append-only event log, and the worker registry. Every write is one transaction, so a
// coordinator killed at any instant restarts with every committed job and event intact.
// Jobs are also kept in memory, loaded when the store opens and updated after each write
// commits: reading a job, all jobs or the active ones never touches SQLite (the scheduler
// reads the active jobs ten times a second; heartbeats and progress reports read one), and
// never waits for a write's fsync: the jobs in memory have a lock of their own, held only to
// find or swap one.
// Thread-safe: one connection, serialised by a mutex.
#ifndef TANDEM_COORDINATOR_JOB_STORE_H_
#define TANDEM_COORDINATOR_JOB_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "tandem/v1/job.pb.h"

struct sqlite3;

namespace tandem {

struct EventDraft {
  std::string kind;
  std::string message;
};

// What the store keeps at most (DESIGN.md section 8: nothing from the network grows without
// bound).
struct JobStoreLimits {
  // Jobs: CreateJob is refused (ResourceExhausted) at this many.
  uint64_t max_jobs = 10000;
  // Events per job: appending drops the oldest beyond this many.
  uint64_t max_events_per_job = 100000;
};

// What happened to jobs since this store was opened (Prometheus counters: they restart at 0
// with the coordinator, which Prometheus reads as a counter reset).
struct JobCounters {
  uint64_t submitted = 0;
  uint64_t succeeded = 0;
  uint64_t failed = 0;
  uint64_t cancelled = 0;
  uint64_t generations = 0;  // generations formed (first assignment, growth, re-forming)
  uint64_t deleted = 0;      // jobs deleted (tandem delete, or past the retention)
};

// Which events ListEvents returns besides its range (ListEventsRequest.kind and .newest).
struct EventFilter {
  std::string kind;     // non-empty: only this kind
  bool newest = false;  // the newest `limit` events, not the oldest
};

class JobStore {
 public:
  // Opens (creating if needed) the database at `path`.
  static absl::StatusOr<std::unique_ptr<JobStore>> Open(const std::string& path,
                                                        JobStoreLimits limits = {});
  ~JobStore();
  JobStore(const JobStore&) = delete;
  JobStore& operator=(const JobStore&) = delete;

  // Stores a new job in state QUEUED with a "submitted" event; returns its id ("job-000001").
  // ResourceExhausted when the store holds limits.max_jobs jobs; AlreadyExists (naming the
  // job) when the spec has a name a stored job has. `auto_sized` and `corpus_file_names`
  // become the JobInfo fields of those names, `owner` JobInfo.owner.
  absl::StatusOr<std::string> CreateJob(
      const tandem::v1::JobSpec& spec, int64_t now_ms,
      const std::vector<std::string>& auto_sized = {},
      const std::map<std::string, std::string>& corpus_file_names = {},
      const std::string& owner = "");

  // The newest job whose spec has this name; NotFound if none.
  absl::StatusOr<tandem::v1::JobInfo> FindJobByName(const std::string& name);

  // Removes an ended job with its events and curve, and returns it; NotFound for an unknown
  // id, FailedPrecondition (nothing removed) for a job not ended yet.
  absl::StatusOr<tandem::v1::JobInfo> DeleteJob(const std::string& id);

  // NotFound names the id.
  absl::StatusOr<tandem::v1::JobInfo> GetJob(const std::string& id);
  // The stored job without a copy, or nullptr: immutable (a later write stores a new one),
  // so it stays valid and unchanged for as long as the caller holds it.
  std::shared_ptr<const tandem::v1::JobInfo> FindJob(const std::string& id);

  JobCounters Counters();

  // All jobs, newest first.
  absl::StatusOr<std::vector<tandem::v1::JobInfo>> ListJobs();
  // All jobs, newest first, without copies (each immutable, as FindJob's).
  std::vector<std::shared_ptr<const tandem::v1::JobInfo>> AllJobs();
  // The jobs not ended (queued, preparing, waiting, running), newest first.
  std::vector<tandem::v1::JobInfo> ListActiveJobs();

  // Replaces the stored job with `job` and appends `events`, in one transaction. A change of
  // state must be legal (CheckTransition) and appends a "state" event; an illegal one changes
  // nothing and returns FailedPrecondition.
  absl::Status UpdateJob(tandem::v1::JobInfo job, const std::vector<EventDraft>& events,
                         int64_t now_ms);

  // One job's progress to write (SaveProgress).
  struct ProgressWrite {
    std::string job_id;
    tandem::v1::JobProgress progress;
    std::vector<EventDraft> events;
    std::vector<tandem::v1::MetricPoint> points;
  };
  // For each write: replaces the job's progress (the rest of the stored job stays as it is)
  // and appends its events and curve points; all in one transaction. A job no longer stored
  // (deleted meanwhile) is skipped.
  absl::Status SaveProgress(const std::vector<ProgressWrite>& writes, int64_t now_ms);

  // Events with seq > after_seq (all jobs if job_id is empty; then, with an `owner`, only
  // the events of the jobs that user owns and of jobs of no owner), oldest first, at most
  // `limit` (0: 1,000): the oldest such, or with `filter.newest` the newest. A non-empty
  // `filter.kind` keeps only events of that kind.
  absl::StatusOr<std::vector<tandem::v1::JobEvent>> ListEvents(const std::string& job_id,
                                                               int64_t after_seq, uint32_t limit,
                                                               const std::string& owner = "",
                                                               const EventFilter& filter = {});

  absl::Status AppendEvent(const std::string& job_id, const EventDraft& event, int64_t now_ms);

  // Appends training-curve points of a job (one transaction) and reads them back in step
  // order.
  absl::Status AppendMetrics(const std::string& job_id,
                             const std::vector<tandem::v1::MetricPoint>& points);
  // The job's stored points with step > after_step, by step.
  absl::StatusOr<std::vector<tandem::v1::MetricPoint>> ListMetrics(const std::string& job_id,
                                                                  uint64_t after_step = 0);

  // Registers a new worker id ("w-000001").
  absl::StatusOr<std::string> NextWorkerId();
  absl::Status PutWorker(const tandem::v1::WorkerInfo& worker);
  absl::StatusOr<std::vector<tandem::v1::WorkerInfo>> ListWorkers();

 private:
  JobStore(sqlite3* db, JobStoreLimits limits) : limits_(limits), db_(db) {}
  absl::Status Exec(const char* sql) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The jobs.name column (looked up by name), added to a database from before it.
  absl::Status AddNameColumn() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::string> FindNameLocked(const std::string& name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status InsertEvent(const std::string& job_id, const EventDraft& event, int64_t now_ms)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status InsertMetrics(const std::string& job_id,
                             const std::vector<tandem::v1::MetricPoint>& points)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<uint64_t> NextCounter(const std::string& name)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Loads the jobs table into jobs_ (Open).
  absl::Status LoadJobs() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Stores `job` in jobs_ once its write committed.
  void Remember(tandem::v1::JobInfo job) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The jobs `keep` selects, newest first.
  template <class Pred>
  std::vector<std::shared_ptr<const tandem::v1::JobInfo>> Select(Pred keep);

  const JobStoreLimits limits_;
  absl::Mutex mu_;
  sqlite3* db_ ABSL_GUARDED_BY(mu_);
  JobCounters counters_ ABSL_GUARDED_BY(mu_);
  // Every row of the jobs table, by id, as last committed. Changed only with both mu_ and
  // jobs_mu_ held (a writer holds mu_ throughout its transaction), read with either.
  mutable absl::Mutex jobs_mu_ ABSL_ACQUIRED_AFTER(mu_);
  std::map<std::string, std::shared_ptr<const tandem::v1::JobInfo>> jobs_;
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_JOB_STORE_H_
