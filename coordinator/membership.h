// Membership: the registry of workers (join, heartbeats, leaving, declared lost), persisted in
// the JobStore, and the forming of a job's generations from registered workers.
//
// Not thread-safe, but for Heartbeat: the Coordinator serialises every other call under its
// one mutex (the members are ABSL_GUARDED_BY it there). Heartbeat, the call every worker makes
// every interval, needs only the liveness table, which has a lock of its own (held for a
// lookup, never across a store write), so heartbeats do not wait for the coordinator's
// mutex while it writes to SQLite. The JobStore is thread-safe on its own and is always locked
// after the Coordinator's mutex, never before.
#ifndef TANDEM_COORDINATOR_MEMBERSHIP_H_
#define TANDEM_COORDINATOR_MEMBERSHIP_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "coordinator/job_store.h"
#include "coordinator/scheduler.h"
#include "tandem/v1/control_service.pb.h"
#include "tandem/v1/job.pb.h"

namespace tandem {

class Membership {
 public:
  // `store` (not owned) outlives this.
  explicit Membership(JobStore* store) : store_(store) {}

  // Loads the registry from the store. Workers alive before a restart get a full timeout
  // (from `now_ms`) to reconnect with their ids.
  absl::Status Recover(int64_t now_ms);
  size_t size() const { return workers_.size(); }

  // Registers a new, idle worker and returns its id; `session_sha256` is the digest of its
  // session token. InvalidArgument for an empty or over-long (256 bytes) address.
  absl::StatusOr<std::string> Join(const tandem::v1::JoinRequest& request, int64_t now_ms,
                                   const std::string& session_sha256 = "");

  // OK when SHA-256(`session_token`) is the registered digest (compared in constant time).
  // NotFound ("join again") for an unknown worker or one without a digest, Unauthenticated
  // for a wrong token. Thread-safe like Heartbeat (every worker call is checked first).
  absl::Status CheckSession(const std::string& worker_id, const std::string& session_token) const
      ABSL_LOCKS_EXCLUDED(live_mu_);

  // What a heartbeat learns: the worker's state and the job it holds ("" if none).
  struct Liveness {
    tandem::v1::WorkerState state = tandem::v1::WORKER_STATE_UNSPECIFIED;
    std::string job_id;
  };
  // Records a heartbeat, and what the worker's collective waits for (`wait`, null: nothing
  // for long). NotFound (saying "join again") for an unknown worker and for one declared lost
  // or gone. Thread-safe, also against the calls below (the liveness lock).
  absl::StatusOr<Liveness> Heartbeat(const std::string& worker_id, int64_t now_ms,
                                     const tandem::v1::CollectiveWait* wait = nullptr)
      ABSL_LOCKS_EXCLUDED(live_mu_);
  // The wait the worker's last heartbeat reported, its waited_ms brought up to `now_ms`;
  // nullopt when it reported none (or is unknown).
  std::optional<tandem::v1::CollectiveWait> CollectiveWaitOf(const std::string& worker_id,
                                                             int64_t now_ms) const
      ABSL_LOCKS_EXCLUDED(live_mu_);
  // The jobs that some worker reports a wait of at least `waited_ms` for (as of `now_ms`):
  // the only ones a stall check needs to look at.
  std::set<std::string> JobsWaitingAtLeast(int64_t waited_ms, int64_t now_ms) const
      ABSL_LOCKS_EXCLUDED(live_mu_);

  // NotFound unless `worker_id` is registered and neither lost nor gone.
  absl::Status CheckActive(const std::string& worker_id) const;
  // NotFound for an unknown worker, PermissionDenied unless it is assigned to `job_id`.
  absl::Status CheckAssigned(const std::string& worker_id, const std::string& job_id) const;
  // Whether `worker_id` is registered and holds `job_id` (in any state).
  bool HoldsJob(const std::string& worker_id, const std::string& job_id) const;
  // The registered worker, or nullptr.
  const tandem::v1::WorkerInfo* Find(const std::string& worker_id) const;
  // The rank to file a log line of `worker_id` about `job_id` under: its rank in the job it
  // holds, or had in the job it last held (its final lines come after it is released);
  // nullopt for any other job. Thread-safe like Heartbeat (read from the liveness table).
  std::optional<uint32_t> RankForLogs(const std::string& worker_id,
                                      const std::string& job_id) const
      ABSL_LOCKS_EXCLUDED(live_mu_);

  // Marks the worker gone and returns the job it held ("" if none); the caller re-forms that
  // job. NotFound for an unknown worker.
  absl::StatusOr<std::string> Leave(const std::string& worker_id);

  // Declares every active worker silent for more than `timeout_ms` lost. `on_lost(worker,
  // job, why)` runs right after each declaration, before the next worker is looked at, for a
  // worker that held a job: a generation re-formed for one loss still holds the next silent
  // member, which is then lost in turn.
  using LostFn = std::function<void(const std::string& worker_id, const std::string& job_id,
                                    const std::string& why)>;
  void DeclareLost(int64_t now_ms, int64_t timeout_ms, const LostFn& on_lost);
  // Declares one active worker lost at once (silent since its generation's all-reduce broke);
  // it leaves its job, which the caller re-forms. If it was alive after all, its next
  // heartbeat is told to join again.
  void DeclareLostNow(const std::string& worker_id, const std::string& why);
  // When the worker's last heartbeat (or join) arrived; 0 for an unknown worker.
  int64_t LastHeartbeatMs(const std::string& worker_id) const;

  // Idle workers (in id order, the order they get ranks in), and how many are active.
  struct Available {
    std::vector<FreeWorker> idle;
    size_t registered = 0;
  };
  Available Idle() const;

  // The members of `job`'s generation still assigned (not lost or gone), in rank order.
  std::vector<std::string> StillAssigned(const tandem::v1::JobInfo& job) const;

  // Starts the next generation of `job` with `members` as ranks 0..n-1 (ring order): their
  // addresses, their data streams (each rank takes streams rank, rank + n, ... of
  // NumStreams) and those streams' shards; marks the workers assigned and the job RUNNING.
  // The caller stores the job. Internal if there are more members than data streams.
  absl::Status FormGeneration(tandem::v1::JobInfo& job, const std::vector<std::string>& members);

  // Returns the members of `job` that still hold it to idle.
  void Release(const tandem::v1::JobInfo& job);

  // Every registered worker with its last heartbeat.
  std::vector<tandem::v1::WorkerInfo> List() const;

 private:
  struct Entry {
    tandem::v1::WorkerInfo info;
    std::string last_job_id;  // the job it held before its current one, and its rank there
    uint32_t last_rank = 0;
  };
  // Clears the worker's job and rank, remembering them as its last.
  static void Unassign(Entry& w);
  struct Live {
    Liveness liveness;
    int64_t last_heartbeat_ms = 0;
    std::string session_sha256;
    // For RankForLogs: the rank in liveness.job_id, and the last job held before it.
    uint32_t rank = 0;
    std::string last_job_id;
    uint32_t last_rank = 0;
    std::optional<tandem::v1::CollectiveWait> wait;  // as the last heartbeat reported it
  };
  // How long `live`'s reported wait has lasted by `now_ms` (it must have one).
  static int64_t WaitedMs(const Live& live, int64_t now_ms);
  // After every change of a worker: mirrors its state and job into the liveness table and
  // stores it. Best effort: a failed write is logged (a worker missing after a restart joins
  // again).
  void Persist(const Entry& w) ABSL_LOCKS_EXCLUDED(live_mu_);

  JobStore* const store_;
  std::map<std::string, Entry> workers_;
  // Per registered worker: its state, job and rank as last changed (with the job before),
  // its last heartbeat and its session's digest.
  mutable absl::Mutex live_mu_;
  std::map<std::string, Live> live_ ABSL_GUARDED_BY(live_mu_);
};

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_MEMBERSHIP_H_
