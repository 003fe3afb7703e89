#include "coordinator/scheduler.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "model/model_spec.h"

namespace tandem {

using tandem::v1::JobInfo;

namespace {

std::string Mib(uint64_t bytes) { return absl::StrCat(bytes >> 20, " MiB"); }

// Takes up to `count` workers of `idle` that have the memory `job` needs and are not in
// `sitting_out`, in order.
std::vector<std::string> Take(std::vector<FreeWorker>& idle, size_t count, uint64_t floor,
                              const std::set<std::string>* sitting_out) {
  std::vector<std::string> taken;
  for (auto it = idle.begin(); it != idle.end() && taken.size() < count;) {
    if ((it->memory_bytes != 0 && it->memory_bytes < floor) ||
        (sitting_out != nullptr && sitting_out->count(it->id) > 0)) {
      ++it;
      continue;
    }
    taken.push_back(it->id);
    it = idle.erase(it);
  }
  return taken;
}

}  // namespace

SchedulePlan PlanSchedule(std::vector<JobInfo> jobs, std::vector<FreeWorker> idle,
                          size_t registered, bool preparing, int64_t now_ms,
                          const std::map<std::string, std::set<std::string>>& sitting_out) {
  auto sitting_out_of = [&](const JobInfo& job) -> const std::set<std::string>* {
    auto it = sitting_out.find(job.id());
    return it == sitting_out.end() ? nullptr : &it->second;
  };
  SchedulePlan plan;
  std::reverse(jobs.begin(), jobs.end());  // oldest first: first come, first served
  std::vector<JobInfo*> running;
  for (JobInfo& job : jobs) {
    if (job.state() == v1::JOB_STATE_RUNNING) running.push_back(&job);
    if (job.state() == v1::JOB_STATE_QUEUED || job.state() == v1::JOB_STATE_PREPARING) {
      // A PREPARING job with no preparation running was interrupted by a restart.
      if (!preparing) plan.prepare.push_back(job);
      continue;
    }
    if (job.state() != v1::JOB_STATE_WAITING_FOR_WORKERS) continue;
    const uint32_t min = job.spec().workers().min();
    const uint32_t max = job.spec().workers().max();
    const uint64_t floor = model::TrainingMemoryFloorBytes(job.spec());
    const std::set<std::string>* out = sitting_out_of(job);
    std::vector<const FreeWorker*> small;
    size_t sitting = 0;
    for (const FreeWorker& w : idle) {
      if (out != nullptr && out->count(w.id) > 0) {
        ++sitting;
      } else if (w.memory_bytes != 0 && w.memory_bytes < floor) {
        small.push_back(&w);
      }
    }
    const size_t fit = idle.size() - small.size() - sitting;
    if (fit >= min) {
      plan.start.push_back({std::move(job), Take(idle, max, floor, out)});
      continue;
    }
    std::string msg = absl::StrCat("waiting for workers: needs at least ", min, ", ", fit,
                                   " free of ", registered, " registered");
    if (min > registered) absl::StrAppend(&msg, " (the job asks for more workers than exist)");
    if (sitting > 0) {
      absl::StrAppend(&msg, "; ", sitting, " free worker(s) sit this job out after a stall ",
                      "(cut off from their peers)");
    }
    if (!small.empty()) {
      absl::StrAppend(&msg, "; ", small.size(), " free worker(s) have too little memory for ",
                      "this model (", small.front()->id, ": ", Mib(small.front()->memory_bytes),
                      ", it needs at least ", Mib(floor), ")");
    }
    absl::Duration timeout;
    if (!job.spec().workers().wait_timeout().empty() && job.waiting_since_unix_ms() > 0 &&
        absl::ParseDuration(job.spec().workers().wait_timeout(), &timeout) &&
        now_ms - job.waiting_since_unix_ms() >= absl::ToInt64Milliseconds(timeout)) {
      job.set_state(v1::JOB_STATE_FAILED);
      job.set_message(absl::StrCat("no workers within workers.wait_timeout ",
                                   job.spec().workers().wait_timeout(), ": ", msg));
      job.set_waiting_since_unix_ms(0);
      plan.timed_out.push_back(std::move(job));
      continue;
    }
    if (msg != job.message()) {
      job.set_message(msg);
      plan.waiting.push_back(std::move(job));
    }
  }
  // What waiting jobs left goes to running jobs below their maximum.
  for (JobInfo* job : running) {
    const size_t members = static_cast<size_t>(job->assignments_size());
    const size_t max = job->spec().workers().max();
    if (idle.empty()) break;
    if (members == 0 || members >= max) continue;
    std::vector<std::string> taken = Take(idle, max - members,
                                          model::TrainingMemoryFloorBytes(job->spec()),
                                          sitting_out_of(*job));
    if (taken.empty()) continue;
    std::vector<std::string> grown;
    for (const auto& a : job->assignments()) grown.push_back(a.worker_id());
    grown.insert(grown.end(), taken.begin(), taken.end());
    plan.grow.push_back({*job, std::move(grown)});
  }
  return plan;
}

}  // namespace tandem
