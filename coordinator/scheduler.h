// Scheduling decisions, as a plain function of the jobs and the free workers: which queued job
// gets prepared, which waiting job gets which free workers, and what a job still waiting is
// told. The Coordinator carries the plan out (Preparation, Membership::FormGeneration).
//
// First come, first served: jobs are looked at oldest first; one preparation runs at a time;
// a waiting job takes min(workers.max, free) workers once at least workers.min are free.
// Elastic growth: workers still free after that go to running jobs below workers.max, oldest
// first, which then continue in a new generation with their members plus the new ones.
// A job never gets a worker whose memory limit is below what its model needs at least
// (model::TrainingMemoryFloorBytes); a waiting job's message names such workers.
#ifndef TANDEM_COORDINATOR_SCHEDULER_H_
#define TANDEM_COORDINATOR_SCHEDULER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tandem/v1/job.pb.h"

namespace tandem {

struct SchedulePlan {
  // Jobs to prepare, oldest first: QUEUED jobs and PREPARING jobs whose preparation died with
  // a previous process. The first that starts is prepared; empty while a preparation runs.
  std::vector<tandem::v1::JobInfo> prepare;
  // Waiting jobs that get workers, each with its members in rank order.
  struct Start {
    tandem::v1::JobInfo job;
    std::vector<std::string> members;
  };
  std::vector<Start> start;
  // Running jobs below workers.max that take free workers: their new member list (the
  // current members in rank order, then the new ones).
  std::vector<Start> grow;
  // Waiting jobs whose message changed (set in these copies) and must be stored.
  std::vector<tandem::v1::JobInfo> waiting;
  // Waiting jobs past their workers.wait_timeout: FAILED, with the reason as their message.
  std::vector<tandem::v1::JobInfo> timed_out;
};

// A worker free for a job, and the memory it may use (0: not known, never refused).
struct FreeWorker {
  std::string id;
  uint64_t memory_bytes = 0;
};

// `jobs` as JobStore::ListJobs returns them (newest first); `idle` free workers in the order
// they get ranks; `registered` active workers; `preparing` whether a preparation runs;
// `now_ms` the time (Unix ms) that wait timeouts are measured against.
// `sitting_out`: workers not to give to a job (StallDetector), by job id.
SchedulePlan PlanSchedule(std::vector<tandem::v1::JobInfo> jobs, std::vector<FreeWorker> idle,
                          size_t registered, bool preparing, int64_t now_ms,
                          const std::map<std::string, std::set<std::string>>& sitting_out = {});

}  // namespace tandem

#endif  // TANDEM_COORDINATOR_SCHEDULER_H_
