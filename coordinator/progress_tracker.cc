#include "coordinator/progress_tracker.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/log.h"
#include "common/status.h"
#include "coordinator/job_paths.h"
#include "data/epoch_accounting.h"

namespace tandem {

using tandem::v1::JobInfo;
using tandem::v1::JobProgress;

namespace {

// Progress is written at most this often (events at once, at the next Flush).
constexpr int64_t kPersistIntervalMs = 1000;

float TotalTokensPerSecond(const JobProgress& p) {
  float total = 0;
  for (const auto& [id, tps] : p.worker_tokens_per_second()) total += tps;
  return total;
}

// The ranks' mean step time: compute plus all-reduce wait, averaged.
float MeanStepMs(const JobProgress& p) {
  float step_ms = 0;
  for (const auto& [id, ms] : p.worker_compute_ms()) step_ms += ms;
  for (const auto& [id, ms] : p.worker_wait_ms()) step_ms += ms;
  return step_ms / static_cast<float>(std::max(1, p.worker_compute_ms_size()));
}

}  // namespace

void UpdateStraggler(JobProgress& p) {
  const bool several = p.worker_compute_ms_size() > 1;
  float fastest = 0, slowest = 0;
  std::string slow;
  for (const auto& [id, ms] : p.worker_compute_ms()) {
    if (slow.empty() || ms > slowest) {
      slowest = ms;
      slow = id;
    }
    if (fastest == 0 || ms < fastest) fastest = ms;
  }
  // The worker waited for longest, by how much longer than the others are waited for (ranks
  // whose batches take turns being the longest wait for each other alike: no straggler).
  float awaited = 0, others = 0;
  std::string awaited_worker;
  for (const auto& [id, ms] : p.worker_awaited_ms()) {
    others += ms;
    if (ms > awaited) {
      awaited = ms;
      awaited_worker = id;
    }
  }
  if (p.worker_awaited_ms_size() > 1) {
    others = (others - awaited) / static_cast<float>(p.worker_awaited_ms_size() - 1);
    awaited -= others;
  }
  if (several && awaited >= kMinAwaitedMs) {
    // Late segments from a rank that computes no longer than the others: its link, or its
    // host's network stack, is slow.
    auto compute = p.worker_compute_ms().find(awaited_worker);
    const float excess = compute == p.worker_compute_ms().end() ? 0 : compute->second - fastest;
    p.set_straggler_ms(awaited);
    p.set_straggler_worker(awaited_worker);
    p.set_straggler_cause(excess >= 0.5f * awaited ? "compute" : "network");
    return;
  }
  p.set_straggler_ms(several ? slowest - fastest : 0);
  p.set_straggler_worker(several ? slow : "");
  p.set_straggler_cause("");
}

JobProgress& ProgressTracker::For(const JobInfo& job) {
  return progress_.try_emplace(job.id(), job.progress()).first->second;
}

void ProgressTracker::MergeInto(JobInfo& job) const {
  auto it = progress_.find(job.id());
  if (it != progress_.end()) *job.mutable_progress() = it->second;
}

std::vector<v1::MetricPoint> ProgressTracker::Pending(const std::string& job_id) const {
  auto it = pending_.find(job_id);
  return it == pending_.end() ? std::vector<v1::MetricPoint>{} : it->second;
}

void ProgressTracker::KeepMembers(JobInfo& job) {
  MergeInto(job);
  JobProgress& p = *job.mutable_progress();
  std::set<std::string> in;
  for (const auto& member : job.assignments()) in.insert(member.worker_id());
  auto prune = [&in](auto* m) {
    for (auto it = m->begin(); it != m->end();) {
      it = in.count(it->first) ? std::next(it) : m->erase(it);
    }
  };
  prune(p.mutable_worker_tokens_per_second());
  prune(p.mutable_worker_compute_ms());
  prune(p.mutable_worker_wait_ms());
  prune(p.mutable_worker_checksum());
  prune(p.mutable_worker_step());
  p.clear_worker_awaited_ms();  // new ranks, new waits
  generations_.erase(job.id());
  p.set_tokens_per_second(TotalTokensPerSecond(p));
  UpdateStraggler(p);
  if (auto it = progress_.find(job.id()); it != progress_.end()) it->second = p;
}

std::vector<EventDraft> ProgressTracker::Record(const v1::ProgressReport& r, JobProgress& p,
                                               int64_t now,
                                               const std::map<std::string, float>& awaited) {
  std::vector<EventDraft> raised;
  dirty_.insert(r.job_id());
  if (auto d = disrupted_.find(r.job_id());
      d != disrupted_.end() && r.generation() >= d->second.resumes_in) {
    std::string stood;
    if (auto last = last_step_ms_.find(r.job_id()); last != last_step_ms_.end()) {
      stood = absl::StrFormat("; no step for %.1f s", (now - last->second) / 1000.0);
    }
    // A step at or below the last one reported: the replicas were lost and the job went
    // back to its newest checkpoint (steps since are done again).
    std::string back;
    if (r.step() <= p.step()) {
      back = absl::StrFormat("; back from step %d to the checkpoint at step %d, %d steps redone",
                             p.step(), p.checkpoint_step(), p.step() - p.checkpoint_step());
    }
    raised.push_back({"resumed", absl::StrFormat("step %d in generation %d, %.1f s after %s%s%s",
                                                 r.step(), r.generation(),
                                                 (now - d->second.since_ms) / 1000.0,
                                                 d->second.cause, stood, back)});
    disrupted_.erase(d);
  }
  last_step_ms_[r.job_id()] = now;
  if (p.started_unix_ms() == 0) p.set_started_unix_ms(now);
  (*p.mutable_worker_tokens_per_second())[r.worker_id()] = r.tokens_per_second();
  (*p.mutable_worker_step())[r.worker_id()] = r.step();
  (*p.mutable_worker_checksum())[r.worker_id()] = r.param_checksum();
  // Step times vary with each batch's lengths: an exponential average shows which rank is
  // steadily slower rather than which drew the longest batch last.
  for (auto [map, value] : {std::pair{p.mutable_worker_compute_ms(), r.compute_ms()},
                            std::pair{p.mutable_worker_wait_ms(), r.comm_wait_ms()}}) {
    auto it = map->find(r.worker_id());
    (*map)[r.worker_id()] = it == map->end() ? value : 0.8f * it->second + 0.2f * value;
  }
  GenerationWatch& watch = generations_[r.job_id()];
  // Waits average from 0, so that a generation's first steps (connections opening) do not
  // name a straggler.
  if (!awaited.empty()) {
    auto& pairs = watch.awaited;
    for (const auto& [worker, ms] : awaited) {
      float& average = pairs[{r.worker_id(), worker}];
      average = 0.8f * average + 0.2f * ms;
    }
    std::map<std::string, std::pair<float, int>> by_awaited;  // sum and count of waiters
    for (const auto& [key, average] : pairs) {
      by_awaited[key.second].first += average;
      ++by_awaited[key.second].second;
    }
    for (const auto& [worker, sum] : by_awaited) {
      (*p.mutable_worker_awaited_ms())[worker] = sum.first / static_cast<float>(sum.second);
    }
  }
  UpdateStraggler(p);
  // The same worker above both thresholds report after report, for kStragglerSustainedSteps
  // steps (each rank reports every step), before it is told.
  if (!p.straggler_cause().empty() && p.straggler_ms() >= kStragglerEventMs &&
      p.straggler_ms() >= 0.2f * MeanStepMs(p)) {
    if (watch.candidate != p.straggler_worker()) {
      watch.candidate = p.straggler_worker();
      watch.sustained = 0;
    }
    ++watch.sustained;
  } else {
    watch.candidate.clear();
    watch.sustained = 0;
  }
  if (watch.sustained >= int64_t{kStragglerSustainedSteps} * p.worker_compute_ms_size()) {
    if (watch.told.insert(p.straggler_worker()).second) {
      const float step_ms = MeanStepMs(p);
      const auto compute = p.worker_compute_ms().find(p.straggler_worker());
      float fastest = compute == p.worker_compute_ms().end() ? 0 : compute->second;
      for (const auto& [id, ms] : p.worker_compute_ms()) fastest = std::min(fastest, ms);
      raised.push_back(
          {"straggler",
           absl::StrFormat("%s: the other ranks wait %.0f ms per step longer for its segments "
                           "than for the others' (steps "
                           "take %.0f ms); its compute is %.0f ms above the fastest rank's: %s",
                           p.straggler_worker(), p.straggler_ms(), step_ms,
                           compute == p.worker_compute_ms().end() ? 0.0f
                                                                   : compute->second - fastest,
                           p.straggler_cause() == "network"
                               ? "its segments are slow to arrive (network)"
                               : "it computes more slowly (compute)")});
    }
  }
  const float total_tps = TotalTokensPerSecond(p);
  p.set_tokens_per_second(total_tps);
  // Replicas must hold the same bits after the same step: say so loudly if they do not.
  for (const auto& [id, step] : p.worker_step()) {
    if (id != r.worker_id() && step == r.step() &&
        p.worker_checksum().at(id) != r.param_checksum()) {
      raised.push_back(
          {"divergence", absl::StrCat("step ", r.step(), ": parameter checksums of ", id, " and ",
                                      r.worker_id(), " differ")});
    }
  }
  // What finished epochs trained (every rank reports the same; one event per epoch, or a
  // second one if a later report of it differs).
  for (const v1::EpochAccount& a : r.epoch_accounts()) {
    EpochAccount account;
    account.epoch = static_cast<int64_t>(a.epoch());
    account.first_step = static_cast<int64_t>(a.first_step());
    account.end_step = static_cast<int64_t>(a.end_step());
    account.epoch_steps = static_cast<int64_t>(a.epoch_steps());
    account.pairs = static_cast<int64_t>(a.pairs());
    account.trained = static_cast<int64_t>(a.trained());
    account.distinct = static_cast<int64_t>(a.distinct());
    account.repeated = static_cast<int64_t>(a.repeated());
    account.never = static_cast<int64_t>(a.never());
    std::string text = DescribeEpochAccount(account);
    auto [it, added] = accounted_[r.job_id()].try_emplace({a.epoch(), a.end_step()}, text);
    if (!added && it->second == text) continue;
    if (const auto stored = stored_accounts_.find(r.job_id());
        added && stored != stored_accounts_.end() && stored->second.count(text) > 0) {
      continue;  // made into an event before a restart
    }
    it->second = text;
    raised.push_back({"epoch_end", std::move(text)});
  }
  if (r.rank() == 0) {
    v1::MetricPoint point;
    point.set_step(r.step());
    point.set_unix_ms(now);
    point.set_loss(r.loss());
    point.set_tokens_per_second(total_tps);
    point.set_learning_rate(r.learning_rate());
    point.set_has_validation(r.has_validation());
    point.set_valid_loss(r.valid_loss());
    point.set_valid_bleu(r.valid_bleu());
    *point.mutable_worker_tokens_per_second() = p.worker_tokens_per_second();
    pending_[r.job_id()].push_back(point);
    p.set_step(r.step());
    p.set_epoch(r.epoch());
    p.set_loss(r.loss());
    p.set_learning_rate(r.learning_rate());
    p.set_planned_steps(r.planned_steps());
    if (r.has_validation()) {
      p.set_valid_loss(r.valid_loss());
      p.set_valid_bleu(r.valid_bleu());
      p.set_valid_step(r.step());
      if (r.valid_bleu() > p.best_valid_bleu()) p.set_best_valid_bleu(r.valid_bleu());
      raised.push_back(
          {"validation", absl::StrFormat("step %d: validation loss %.3f, BLEU %.2f", r.step(),
                                         r.valid_loss(), r.valid_bleu())});
    }
  }
  if (!raised.empty()) {
    std::vector<EventDraft>& waiting = events_[r.job_id()];
    waiting.insert(waiting.end(), raised.begin(), raised.end());
  }
  return raised;
}

absl::Status ProgressTracker::Flush(int64_t now, bool everything) {
  // Every job's progress together, once a second: one commit however many jobs run.
  const bool all_due = everything || now - flushed_ms_ >= kPersistIntervalMs;
  std::vector<JobStore::ProgressWrite> writes;
  for (const std::string& id : dirty_) {
    auto events = events_.find(id);
    const bool has_events = events != events_.end() && !events->second.empty();
    if (!all_due && !has_events) continue;
    JobStore::ProgressWrite w;
    w.job_id = id;
    w.progress = progress_.at(id);
    if (has_events) w.events = events->second;
    if (auto points = pending_.find(id); points != pending_.end()) w.points = points->second;
    writes.push_back(std::move(w));
  }
  if (writes.empty()) return absl::OkStatus();
  TANDEM_RETURN_IF_ERROR(store_->SaveProgress(writes, now));
  if (all_due) flushed_ms_ = now;
  for (const JobStore::ProgressWrite& w : writes) {
    AddToTensorBoard(w.job_id, w.points);
    Written(w.job_id);
  }
  return absl::OkStatus();
}

absl::Status ProgressTracker::Persist(const JobInfo& job, const std::vector<EventDraft>& events,
                                      int64_t now) {
  std::vector<EventDraft> all = events_[job.id()];
  all.insert(all.end(), events.begin(), events.end());
  TANDEM_RETURN_IF_ERROR(store_->UpdateJob(job, all, now));
  const std::vector<v1::MetricPoint> points = pending_[job.id()];
  TANDEM_RETURN_IF_ERROR(store_->AppendMetrics(job.id(), points));
  AddToTensorBoard(job.id(), points);
  Written(job.id());
  return absl::OkStatus();
}

void ProgressTracker::AddToTensorBoard(const std::string& job_id,
                                       const std::vector<v1::MetricPoint>& points) {
  if (points.empty()) return;
  auto tb = tensorboard_.try_emplace(job_id, JobDir(data_dir_, job_id) + "/tensorboard").first;
  for (const auto& point : points) {
    std::vector<std::pair<std::string, float>> scalars = {
        {"train/loss", point.loss()},
        {"train/tokens_per_second", point.tokens_per_second()},
        {"train/learning_rate", point.learning_rate()}};
    if (point.has_validation()) {
      scalars.push_back({"valid/loss", point.valid_loss()});
      scalars.push_back({"valid/bleu", point.valid_bleu()});
    }
    absl::Status s = tb->second.Add(static_cast<double>(point.unix_ms()) / 1000.0,
                                    static_cast<int64_t>(point.step()), scalars);
    if (!s.ok()) TANDEM_LOG(WARNING) << "tensorboard: " << s;
  }
}

void ProgressTracker::Written(const std::string& job_id) {
  dirty_.erase(job_id);
  pending_.erase(job_id);
  events_.erase(job_id);
}

void ProgressTracker::Disrupted(const std::string& job_id, const std::string& cause,
                                uint64_t resumes_in, int64_t now) {
  auto [it, added] = disrupted_.try_emplace(job_id, Disruption{cause, resumes_in, now});
  if (!added) it->second.resumes_in = std::max(it->second.resumes_in, resumes_in);
}

void ProgressTracker::Forget(const std::string& job_id) {
  progress_.erase(job_id);
  disrupted_.erase(job_id);
  last_step_ms_.erase(job_id);
  pending_.erase(job_id);
  events_.erase(job_id);
  dirty_.erase(job_id);
  tensorboard_.erase(job_id);
  accounted_.erase(job_id);
  stored_accounts_.erase(job_id);
  generations_.erase(job_id);
}

int ProgressTracker::ForgetEnded(const std::function<bool(const std::string&)>& ended) {
  // Every per-job map is filled after one of these three (For, Disrupted, a restart's
  // RememberEpochAccounts).
  std::set<std::string> held;
  for (const auto& [id, progress] : progress_) held.insert(id);
  for (const auto& [id, disruption] : disrupted_) held.insert(id);
  for (const auto& [id, texts] : stored_accounts_) held.insert(id);
  int forgotten = 0;
  for (const std::string& id : held) {
    if (dirty_.count(id) > 0 || !ended(id)) continue;
    Forget(id);
    ++forgotten;
  }
  return forgotten;
}

void ProgressTracker::RememberEpochAccounts(const std::string& job_id,
                                            std::vector<std::string> texts) {
  if (texts.empty()) return;
  auto& stored = stored_accounts_[job_id];
  for (std::string& t : texts) stored.insert(std::move(t));
}

}  // namespace tandem
