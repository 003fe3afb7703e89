// ProgressTracker: the live progress of running jobs, merged from every rank's reports
// (throughput, step and checksum per worker, averaged compute and wait times, the
// straggler), the replicas' divergence check, the training-curve points of rank 0, and their
// persistence: progress goes to the JobStore at most once a second (and at validations,
// events and the end), curve points with it, and to the job's TensorBoard event file.
//
// Not thread-safe: the Coordinator serialises every call under its one mutex.
#ifndef TANDEM_COORDINATOR_PROGRESS_TRACKER_H_
#define TANDEM_COORDINATOR_PROGRESS_TRACKER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "coordinator/job_store.h"
#include "coordinator/tensorboard.h"
#include "tandem/v1/control_service.pb.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

// The slowest rank's averaged compute time minus the fastest's (JobProgress.straggler_ms)
// and who it is; zero and empty with fewer than two ranks.
void UpdateStraggler(tandem::v1::JobProgress& progress);

class ProgressTracker {
 public:
  // `store` (not owned) outlives this; event files go to <data_dir>/jobs/<id>/tensorboard/.
  ProgressTracker(JobStore* store, std::string data_dir)
      : store_(store), data_dir_(std::move(data_dir)) {}

  // The tracked progress of `job`, started from its stored progress on first use.
  tandem::v1::JobProgress& For(const tandem::v1::JobInfo& job);

  // Replaces job.progress with the tracked progress, if any (it is newer than the stored).
  void MergeInto(tandem::v1::JobInfo& job) const;

  // Curve points of `job_id` not yet written to the store.
  std::vector<tandem::v1::MetricPoint> Pending(const std::string& job_id) const;

  // For a new generation (job.assignments holds its members): merges the tracked progress
  // into `job`, drops the per-worker figures of workers outside the generation (they would
  // skew totals and spreads) and recomputes the total throughput and the straggler.
  // Drops everything held for a job (a deleted job).
  void Forget(const std::string& job_id);
  void KeepMembers(tandem::v1::JobInfo& job);

  // What one report changed: events to append and whether to write now.
  struct Update {
    std::vector<EventDraft> events;
    bool persist = false;
  };
  // Merges a successful step report into `progress` (from For()): the rank's figures,
  // totals, straggler, a "divergence" event when two replicas report different checksums
  // for the same step; from rank 0 also the step, loss, curve point and validation (with a
  // "validation" event, written at once).
  Update Record(const tandem::v1::ProgressReport& report, tandem::v1::JobProgress& progress,
                int64_t now_ms);

  // Stores `job` with `events` and the pending curve points, and appends those to the job's
  // TensorBoard file (a failure there is logged, not returned).
  absl::Status Persist(const tandem::v1::JobInfo& job, const std::vector<EventDraft>& events,
                       int64_t now_ms);

 private:
  JobStore* const store_;
  const std::string data_dir_;
  std::map<std::string, tandem::v1::JobProgress> progress_;
  std::map<std::string, int64_t> saved_ms_;
  // Curve points waiting to be written with the next Persist.
  std::map<std::string, std::vector<tandem::v1::MetricPoint>> pending_;
  // One TensorBoard event file per job.
  std::map<std::string, TensorBoardWriter> tensorboard_;
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_PROGRESS_TRACKER_H_
