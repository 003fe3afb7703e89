// ProgressTracker: the live progress of running jobs, merged from every rank's reports
// (throughput, step and checksum per worker, averaged compute and wait times, the
// straggler), the replicas' divergence check, the training-curve points of rank 0, and their
// persistence. Reports only update memory; Flush (the coordinator's tick) writes every job
// with something due in one store transaction: a job with events at once, the others at
// most once a second, curve points with them, and to the job's TensorBoard event file. A
// report never waits for SQLite, and a thousand workers cost one commit a second, not two
// per job.
//
// Not thread-safe: the Coordinator serialises every call under its one mutex.
#ifndef TANDEM_COORDINATOR_PROGRESS_TRACKER_H_
#define TANDEM_COORDINATOR_PROGRESS_TRACKER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "coordinator/job_store.h"
#include "coordinator/tensorboard.h"
#include "tandem/v1/control_service.pb.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

// JobProgress.straggler_ms, _worker and _cause from the per-worker figures: the worker the
// others wait for longest (worker_awaited_ms), by how much longer than the other workers are
// waited for, when that is at least kMinAwaitedMs; else the slowest rank by compute time,
// minus the fastest's (no cause). Zero and empty with fewer than two ranks.
inline constexpr float kMinAwaitedMs = 1.0f;
void UpdateStraggler(tandem::v1::JobProgress& progress);

// A "straggler" event is raised, once per worker and generation, when the others wait for
// it at least this long per step, and a fifth of the ranks' mean step time, on each of the
// last kStragglerSustainedSteps steps' reports (that many reports per rank): a worker that is
// steadily slower, not one whose turn it was (two ranks sharing a loaded host take turns being
// descheduled, and each would be named in turn).
inline constexpr float kStragglerEventMs = 50.0f;
inline constexpr int kStragglerSustainedSteps = 20;

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
  // Forgets every job that `ended` says has ended and has nothing waiting for a Flush: its
  // progress, curve points and events are in the store, so a coordinator that runs for
  // months holds nothing in memory for the jobs that finished. Returns how many it forgot.
  int ForgetEnded(const std::function<bool(const std::string&)>& ended);
  // The "epoch_end" texts `job_id` already has in the store (read back by a restarted
  // coordinator): an account sent again after the restart, which a worker does until a
  // report is answered, then makes no second event.
  void RememberEpochAccounts(const std::string& job_id, std::vector<std::string> texts);
  void KeepMembers(tandem::v1::JobInfo& job);

  // Merges a successful step report into `progress` (from For()): the rank's figures,
  // totals, straggler, a "divergence" event when two replicas report different checksums
  // for the same step; from rank 0 also the step, loss, curve point and validation (with a
  // "validation" event); from any rank an "epoch_end" event per epoch account it carries
  // (DescribeEpochAccount; once per epoch, again only if it differs). Returns the events
  // raised; they wait, with the curve point, for the next Flush or Persist of the job.
  // `awaited`: how long the reporting rank waited for each other member's segments, by
  // worker id (ProgressReport.awaited_ms, its ranks resolved by the caller; every other
  // member present, 0 where none): averaged into worker_awaited_ms, which names the
  // straggler, and a "straggler" event (kStragglerEventMs).
  std::vector<EventDraft> Record(const tandem::v1::ProgressReport& report,
                                 tandem::v1::JobProgress& progress, int64_t now_ms,
                                 const std::map<std::string, float>& awaited = {});

  // Writes what is due in one transaction (JobStore::SaveProgress): each job with waiting
  // events, and every job with new progress when the last such write was a second or more
  // ago (all of them: one commit a second however many jobs run); then
  // appends their curve points to TensorBoard (a failure there is logged, not returned). On
  // an error nothing is dropped: the next Flush tries again. `everything`: all that waits,
  // due or not (a coordinator stopping).
  absl::Status Flush(int64_t now_ms, bool everything = false);

  // Stores `job` (a change of state; the caller merged the tracked progress into it) with
  // `events` after the events and curve points waiting for it, at once.
  absl::Status Persist(const tandem::v1::JobInfo& job, const std::vector<EventDraft>& events,
                       int64_t now_ms);

  // Training of `job_id` was disrupted at `now_ms` by `cause` (a member lost or left, a
  // broken all-reduce, a new generation, the coordinator restarted). The next successful
  // step report of generation `resumes_in` or later raises a "resumed" event saying how long
  // training stood still: since the disruption, and since the step before it when this
  // process saw one; a step not past the job's last one says that the job went back to its
  // checkpoint. While one waits, later causes do not move its start (recovery counts from
  // the first).
  void Disrupted(const std::string& job_id, const std::string& cause, uint64_t resumes_in,
                 int64_t now_ms);

  // Whether anything of `job_id` waits for a Flush (for tests).
  bool Waiting(const std::string& job_id) const { return dirty_.count(job_id) > 0; }

 private:
  JobStore* const store_;
  const std::string data_dir_;
  std::map<std::string, tandem::v1::JobProgress> progress_;
  int64_t flushed_ms_ = 0;  // when every job with new progress was last written
  // Jobs with progress not yet written, and the curve points and events waiting with it.
  std::set<std::string> dirty_;
  std::map<std::string, std::vector<tandem::v1::MetricPoint>> pending_;
  std::map<std::string, std::vector<EventDraft>> events_;
  // Appends `points` to the job's TensorBoard event file.
  void AddToTensorBoard(const std::string& job_id,
                        const std::vector<tandem::v1::MetricPoint>& points);
  // Drops what waited for `job_id`: it is written.
  void Written(const std::string& job_id);
  // Disruptions not yet followed by a step, and when each job's last step was reported.
  struct Disruption {
    std::string cause;
    uint64_t resumes_in = 0;
    int64_t since_ms = 0;
  };
  std::map<std::string, Disruption> disrupted_;
  std::map<std::string, int64_t> last_step_ms_;
  // Per job, the epoch accounts made into "epoch_end" events: (epoch, end step) -> text.
  std::map<std::string, std::map<std::pair<uint64_t, uint64_t>, std::string>> accounted_;
  // Per job, the "epoch_end" texts stored before this process started.
  std::map<std::string, std::set<std::string>> stored_accounts_;
  // Per job, what its current generation has shown so far (a new generation starts afresh).
  struct GenerationWatch {
    // (waiting worker, awaited worker) -> averaged ms per report.
    std::map<std::pair<std::string, std::string>, float> awaited;
    // The worker named straggler above the event's thresholds by each of the last
    // `sustained` reports.
    std::string candidate;
    int64_t sustained = 0;
    std::set<std::string> told;  // the workers a "straggler" event has named
  };
  std::map<std::string, GenerationWatch> generations_;
  // One TensorBoard event file per job.
  std::map<std::string, TensorBoardWriter> tensorboard_;
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_PROGRESS_TRACKER_H_
