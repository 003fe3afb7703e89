#include "coordinator/scheduler.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace tandem {

using tandem::v1::JobInfo;

SchedulePlan PlanSchedule(std::vector<JobInfo> jobs, std::vector<std::string> idle,
                          size_t registered, bool preparing) {
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
    if (idle.size() >= min) {
      const auto take = static_cast<long>(std::min<size_t>(max, idle.size()));
      std::vector<std::string> members(idle.begin(), idle.begin() + take);
      idle.erase(idle.begin(), idle.begin() + take);
      plan.start.push_back({std::move(job), std::move(members)});
      continue;
    }
    std::string msg = absl::StrCat("waiting for workers: needs at least ", min, ", ", idle.size(),
                                   " free of ", registered, " registered");
    if (min > registered) absl::StrAppend(&msg, " (the job asks for more workers than exist)");
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
    const size_t take = std::min(max - members, idle.size());
    std::vector<std::string> grown;
    for (const auto& a : job->assignments()) grown.push_back(a.worker_id());
    grown.insert(grown.end(), idle.begin(), idle.begin() + static_cast<long>(take));
    idle.erase(idle.begin(), idle.begin() + static_cast<long>(take));
    plan.grow.push_back({*job, std::move(grown)});
  }
  return plan;
}

}  // namespace tandem
