#include "worker/progress_reporter.h"

#include <algorithm>
#include <cstdio>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "collective/communicator.h"
#include "common/files.h"
#include "common/log.h"
#include "common/status.h"
#include "data/epoch_accounting.h"

namespace tandem {

ProgressReporter::ProgressReporter(CoordinatorClient* client, std::string worker_id,
                                   const v1::WorkAssignment& assignment, const Trainer* trainer,
                                   const std::atomic<bool>* cancel,
                                   std::vector<v1::EpochAccount>* unsent,
                                   AwaitedSource awaited_ms)
    : client_(client),
      worker_id_(std::move(worker_id)),
      job_id_(assignment.job_id()),
      generation_(assignment.generation()),
      rank_(assignment.rank()),
      trainer_(trainer),
      cancel_(cancel),
      awaited_ms_(std::move(awaited_ms)),
      unsent_(unsent != nullptr ? unsent : &own_unsent_) {}

v1::ProgressReport ProgressReporter::NewReport() const {
  v1::ProgressReport report;
  report.set_worker_id(worker_id_);
  report.set_job_id(job_id_);
  report.set_generation(generation_);
  report.set_rank(rank_);
  return report;
}

absl::Status ProgressReporter::OnCheckpoint(const std::string& path, int64_t step, bool final) {
  TANDEM_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  const auto give_up = std::chrono::steady_clock::now() + kFinalUploadPatience;
  std::chrono::milliseconds delay(200);
  while (true) {
    const absl::Status stored = client_->UploadCheckpoint(
        worker_id_, job_id_, generation_, static_cast<uint64_t>(step), final, bytes);
    if (stored.ok()) break;
    if (!final) {
      TANDEM_LOG(WARNING) << "job " << job_id_ << ": the checkpoint at step " << step
                          << " was not stored (training goes on): " << stored.message();
      return absl::OkStatus();
    }
    const bool may_pass = absl::IsUnavailable(stored) || absl::IsDeadlineExceeded(stored) ||
                          absl::IsResourceExhausted(stored) || absl::IsInternal(stored) ||
                          absl::IsUnknown(stored) || absl::IsAborted(stored);
    if (!may_pass || std::chrono::steady_clock::now() + delay > give_up ||
        (cancel_ != nullptr && *cancel_)) {
      return stored;
    }
    TANDEM_LOG(WARNING) << "job " << job_id_ << ": the final model was not stored ("
                        << stored.message() << "); trying again in " << delay.count() << " ms";
    for (auto waited = std::chrono::milliseconds(0); waited < delay;
         waited += std::chrono::milliseconds(50)) {
      if (cancel_ != nullptr && *cancel_) return stored;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    delay = std::min<std::chrono::milliseconds>(2 * delay, std::chrono::seconds(5));
  }
  // The coordinator keeps the job's checkpoints; the worker's copy was only for the upload.
  std::remove(path.c_str());
  return absl::OkStatus();
}

absl::StatusOr<bool> ProgressReporter::AfterStep(const StepReport& r) {
  const StepStats& stats = r.stats;
  v1::ProgressReport report = NewReport();
  report.set_step(static_cast<uint64_t>(stats.step));
  report.set_epoch(static_cast<uint64_t>(stats.epoch));
  report.set_loss(static_cast<float>(stats.loss));
  report.set_learning_rate(static_cast<float>(stats.learning_rate));
  report.set_tokens_per_second(static_cast<float>(r.tokens_per_second));
  report.set_param_checksum(trainer_->ParameterChecksum());
  report.set_compute_ms(static_cast<float>(1e3 * stats.compute_seconds));
  report.set_comm_wait_ms(static_cast<float>(1e3 * stats.comm_wait_seconds));
  report.set_comm_ms(static_cast<float>(1e3 * stats.comm_seconds));
  if (awaited_ms_) {
    for (const auto& [peer, ms] : awaited_ms_()) (*report.mutable_awaited_ms())[peer] = ms;
  }
  // Every rank validates (the figures are the same everywhere); rank 0 reports them.
  if (r.validation.has_value() && rank_ == 0) {
    report.set_has_validation(true);
    report.set_valid_loss(static_cast<float>(r.validation->loss));
    report.set_valid_bleu(static_cast<float>(r.validation->bleu));
    TANDEM_LOG(INFO) << "step " << stats.step << ": validation loss " << r.validation->loss
                     << ", BLEU " << r.validation->bleu;
  }
  if (r.early_stop && rank_ == 0) {
    TANDEM_LOG(INFO) << "early stopping: no BLEU improvement in " << r.bad_validations
                     << " validations";
  }
  if (r.time_up && rank_ == 0) {
    TANDEM_LOG(INFO) << "training.max_duration reached: step " << stats.step << " is the last";
  }
  // `finished` on the last step: rank 0 has uploaded the final model, the coordinator ends
  // the job.
  report.set_finished(r.last);
  report.set_time_up(r.time_up);
  report.set_planned_steps(static_cast<uint64_t>(r.planned_steps));
  if (const auto& a = stats.epoch_account; a.has_value()) {
    v1::EpochAccount account;
    account.set_epoch(static_cast<uint64_t>(a->epoch));
    account.set_first_step(static_cast<uint64_t>(a->first_step));
    account.set_end_step(static_cast<uint64_t>(a->end_step));
    account.set_epoch_steps(static_cast<uint64_t>(a->epoch_steps));
    account.set_pairs(static_cast<uint64_t>(a->pairs));
    account.set_trained(static_cast<uint64_t>(a->trained));
    account.set_distinct(static_cast<uint64_t>(a->distinct));
    account.set_repeated(static_cast<uint64_t>(a->repeated));
    account.set_never(static_cast<uint64_t>(a->never));
    unsent_->push_back(account);
    if (rank_ == 0) TANDEM_LOG(INFO) << DescribeEpochAccount(*a);
  }
  // Accounts go with every report until one is taken in (a report answered "stop" may have
  // been refused as another generation's: they go again with the next generation's).
  for (const auto& account : *unsent_) *report.add_epoch_accounts() = account;
  absl::StatusOr<v1::ProgressResponse> response = client_->ReportProgress(report);
  if (response.ok() && !response->stop()) unsent_->clear();
  const auto now = std::chrono::steady_clock::now();
  if (!response.ok()) {
    // While the coordinator is away every step fails: logged when the reason changes and
    // every 30 s, not once a step.
    const std::string why(response.status().message());
    if (failed_reports_++ == 0 || why != last_failure_ ||
        now - last_failure_log_ > std::chrono::seconds(30)) {
      TANDEM_LOG(WARNING) << "job " << job_id_ << ": progress report of step " << stats.step
                          << " failed (training goes on): " << why;
      last_failure_ = why;
      last_failure_log_ = now;
    }
    return false;
  }
  if (failed_reports_ > 0) {
    TANDEM_LOG(INFO) << "job " << job_id_ << ": progress reports reach the coordinator again ("
                     << failed_reports_ << " failed)";
    failed_reports_ = 0;
    last_failure_.clear();
  }
  if (response->stop()) {
    TANDEM_LOG(INFO) << "job " << job_id_ << ": coordinator says stop at step " << stats.step;
  }
  return response->stop();
}

void ProgressReporter::ReportFailure(const absl::Status& error) {
  v1::ProgressReport report = NewReport();
  report.set_error(std::string(error.message()));
  report.set_collective_failure(absl::IsAborted(error));
  if (auto peer = error.GetPayload(collective::kFromRankPayload); peer.has_value()) {
    int rank = -1;
    if (absl::SimpleAtoi(std::string(*peer), &rank) && rank >= 0) {
      report.set_broken_peer_rank(rank);
    }
  }
  absl::StatusOr<v1::ProgressResponse> response = client_->ReportProgress(report);
  if (!response.ok()) {
    TANDEM_LOG(WARNING) << "job " << job_id_ << ": could not report the training failure to the "
                        << "coordinator (" << response.status().message()
                        << "); it will notice the missing heartbeats or progress";
  }
}

}  // namespace tandem
