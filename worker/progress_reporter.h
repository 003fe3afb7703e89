// The worker's TrainingObserver: each step's figures go to the coordinator as a
// ProgressReport (whose answer may stop the loop), and rank 0's checkpoints are uploaded
// (the last one as the job's final model). Progress reports that fail are logged and
// training continues: the next report carries newer figures. So do checkpoints that cannot
// be stored (the coordinator restarting, its disk full): the coordinator keeps the ones it
// has and the next is tried at its interval. The final model, without which the job cannot
// end, is tried again while the failure may pass (see kFinalUploadPatience).
#ifndef TANDEM_WORKER_PROGRESS_REPORTER_H_
#define TANDEM_WORKER_PROGRESS_REPORTER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tandem/v1/control_service.pb.h"
#include "training/training_loop.h"
#include "worker/coordinator_client.h"

namespace tandem {

class ProgressReporter final : public TrainingObserver {
 public:
  // `client` and `trainer` (not owned) outlive the reporter; `assignment` is the
  // generation the loop trains in.
  // `cancel` (optional, not owned) ends the final model's retries when the run is cancelled.
  // `unsent` (optional, not owned) holds the epoch accounts not yet delivered: it outlives
  // the reporter of one generation so that the next sends them (the coordinator makes one
  // "epoch_end" event of each epoch, however often it arrives).
  // `awaited_ms` (optional) gives, per peer rank, the milliseconds this process's
  // all-reduces waited for that peer's segments since its last call
  // (collective::Mailbox::TakeAwaited): each report carries them (ProgressReport.awaited_ms).
  using AwaitedSource = std::function<std::map<int, float>()>;
  ProgressReporter(CoordinatorClient* client, std::string worker_id,
                   const v1::WorkAssignment& assignment, const Trainer* trainer,
                   const std::atomic<bool>* cancel = nullptr,
                   std::vector<v1::EpochAccount>* unsent = nullptr,
                   AwaitedSource awaited_ms = nullptr);

  // How long the final model's upload is retried after failures that may pass (the
  // coordinator unreachable or restarting, out of space or busy), with a delay doubling from
  // 200 ms to 5 s. Refusals (not rank 0 any more, another generation) are not retried.
  static constexpr std::chrono::seconds kFinalUploadPatience{120};

  absl::Status OnCheckpoint(const std::string& path, int64_t step, bool final) override;
  absl::StatusOr<bool> AfterStep(const StepReport& report) override;

  // Reports a training failure (the error text; `collective_failure` when an all-reduce
  // broke, so the coordinator forms a new generation). Logged when the report cannot be sent.
  void ReportFailure(const absl::Status& error);

 private:
  v1::ProgressReport NewReport() const;

  CoordinatorClient* const client_;
  const std::string worker_id_;
  const std::string job_id_;
  const uint64_t generation_;
  const uint32_t rank_;
  const Trainer* const trainer_;
  const std::atomic<bool>* const cancel_;
  const AwaitedSource awaited_ms_;
  std::vector<v1::EpochAccount> own_unsent_;
  std::vector<v1::EpochAccount>* const unsent_;  // own_unsent_ when none is given
  // Progress reports failed in a row, and the last failure logged (and when).
  int64_t failed_reports_ = 0;
  std::string last_failure_;
  std::chrono::steady_clock::time_point last_failure_log_;
};

}  // namespace tandem

#endif  // TANDEM_WORKER_PROGRESS_REPORTER_H_
